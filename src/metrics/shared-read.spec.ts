import { SharedRead } from './shared-read';

/** A read whose every call waits until the test settles it. */
function controlledRead() {
  const pending: Array<{ resolve(value: number): void; reject(error: Error): void }> = [];
  let calls = 0;
  const read = () =>
    new Promise<number>((resolve, reject) => {
      calls++;
      pending.push({ resolve, reject });
    });
  return { read, pending, calls: () => calls };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedRead', () => {
  it('gives 100 concurrent callers one read and its one result', async () => {
    const r = controlledRead();
    const shared = new SharedRead(r.read, 15_000, () => 0);
    const answers = Array.from({ length: 100 }, () => shared.get());
    await flush();
    expect(r.calls()).toBe(1);
    r.pending[0].resolve(42);
    await expect(Promise.all(answers)).resolves.toEqual(Array(100).fill(42));
  });

  it('hands the result out again until maxAgeMs after it settled, then reads once more', async () => {
    let clock = 1_000;
    const r = controlledRead();
    const shared = new SharedRead(r.read, 15_000, () => clock);
    const first = shared.get();
    await flush();
    clock += 60_000; // a slow read: the age counts from when it settled, not from when it started
    r.pending[0].resolve(1);
    await expect(first).resolves.toBe(1);

    clock += 14_999;
    await expect(shared.get()).resolves.toBe(1);
    expect(r.calls()).toBe(1);

    clock += 1;
    const second = shared.get();
    const alongside = shared.get();
    await flush();
    expect(r.calls()).toBe(2);
    r.pending[1].resolve(2);
    await expect(Promise.all([second, alongside])).resolves.toEqual([2, 2]);
  });

  it('never starts a second read while one is running, however old the last result', async () => {
    let clock = 0;
    const r = controlledRead();
    const shared = new SharedRead(r.read, 10, () => clock);
    const first = shared.get();
    clock += 1_000_000;
    const later = shared.get();
    await flush();
    expect(r.calls()).toBe(1);
    r.pending[0].resolve(7);
    await expect(Promise.all([first, later])).resolves.toEqual([7, 7]);
  });

  it('shares a failure for the interval too: a database that does not answer is not asked once per scrape', async () => {
    let clock = 0;
    const r = controlledRead();
    const shared = new SharedRead(r.read, 15_000, () => clock);
    const failed = shared.get();
    await flush();
    r.pending[0].reject(new Error('connection refused'));
    await expect(failed).rejects.toThrow('connection refused');
    clock += 5_000;
    await expect(shared.get()).rejects.toThrow('connection refused');
    expect(r.calls()).toBe(1);

    clock += 10_000;
    const retried = shared.get();
    await flush();
    r.pending[1].resolve(3);
    await expect(retried).resolves.toBe(3);
    expect(r.calls()).toBe(2);
  });

  it('turns a read that throws at once into a shared rejection', async () => {
    const shared = new SharedRead<number>(
      () => {
        throw new Error('bug');
      },
      1_000,
      () => 0,
    );
    await expect(Promise.all([shared.get(), shared.get()])).rejects.toThrow('bug');
  });

  it('with maxAgeMs 0 shares only among concurrent callers', async () => {
    const r = controlledRead();
    const shared = new SharedRead(r.read, 0, () => 0);
    const a = shared.get();
    const b = shared.get();
    await flush();
    r.pending[0].resolve(1);
    await expect(Promise.all([a, b])).resolves.toEqual([1, 1]);
    const c = shared.get();
    await flush();
    expect(r.calls()).toBe(2);
    r.pending[1].resolve(2);
    await expect(c).resolves.toBe(2);
  });

  it('refuses a negative age', () => {
    expect(() => new SharedRead(() => Promise.resolve(1), -1)).toThrow(RangeError);
  });
});
