import { gaugeSource } from './gauge-source';

describe('gaugeSource', () => {
  it('shares one read among concurrent callers and gives its value', async () => {
    let reads = 0;
    const source = gaugeSource(async () => ++reads, 60_000, () => undefined);
    await expect(Promise.all([source(), source(), source()])).resolves.toEqual([1, 1, 1]);
    await expect(source()).resolves.toBe(1);
    expect(reads).toBe(1);
  });

  it('gives null when the read failed, and reports that failure once however many callers saw it', async () => {
    const warnings: string[] = [];
    let reads = 0;
    const source = gaugeSource(
      () => {
        reads++;
        return Promise.reject(new Error(`connection refused ${reads}`));
      },
      0,
      (message) => warnings.push(message),
    );
    await expect(Promise.all([source(), source()])).resolves.toEqual([null, null]);
    await expect(source()).resolves.toBeNull();
    expect(reads).toBe(2);
    expect(warnings).toEqual(['connection refused 1', 'connection refused 2']);
  });
});
