import { CursorPosition, decodeCursor, encodeCursor, queryFingerprint } from './cursor';

describe('keyset cursors', () => {
  const fingerprint = queryFingerprint({ query: 'ledgerTransactions', accountCode: null, order: 'NEWEST_FIRST' });

  it('round-trips every kind of position exactly, microseconds and bigints included', () => {
    const positions: CursorPosition[] = [
      { kind: 'transaction', recordedAtMicros: 1_795_000_000_123_456n, id: '3f0c1a52-8f34-4c36-9d8e-0e8b6c1f2a11' },
      { kind: 'transaction', recordedAtMicros: -1n, id: '00000000-0000-0000-0000-000000000000' },
      { kind: 'entry', entryId: 9_223_372_036_854_775_807n },
      { kind: 'account', code: 'customer:3f0c1a52-8f34-4c36-9d8e-0e8b6c1f2a11' },
    ];
    for (const position of positions) {
      const cursor = encodeCursor(position, fingerprint);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor, fingerprint, position.kind)).toEqual({ ok: true, position });
    }
  });

  it('refuses a cursor made for another query', () => {
    const cursor = encodeCursor({ kind: 'entry', entryId: 42n }, fingerprint);
    const other = queryFingerprint({ query: 'ledgerTransactions', accountCode: null, order: 'OLDEST_FIRST' });
    expect(decodeCursor(cursor, other, 'entry')).toEqual({ ok: false, reason: 'other-query' });
  });

  it('refuses a cursor whose position is of another kind', () => {
    const cursor = encodeCursor({ kind: 'entry', entryId: 42n }, fingerprint);
    expect(decodeCursor(cursor, fingerprint, 'transaction')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses anything that is not a cursor', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      '',
      'not a cursor!',
      'x'.repeat(2000),
      Buffer.from('not json').toString('base64url'),
      encode(null),
      encode({ p: ['e', '42'] }),
      encode({ p: ['e', 42], f: fingerprint }),
      encode({ p: ['e', '-1'], f: fingerprint }),
      encode({ p: ['e', '1.5'], f: fingerprint }),
      encode({ p: ['t', '12', 'not-a-uuid'], f: fingerprint }),
      encode({ p: ['t', '12'], f: fingerprint }),
      encode({ p: ['a', ''], f: fingerprint }),
      encode({ p: ['z', '1'], f: fingerprint }),
    ];
    for (const cursor of bad) {
      for (const kind of ['transaction', 'entry', 'account'] as const) {
        expect(decodeCursor(cursor, fingerprint, kind)).toEqual({ ok: false, reason: 'malformed' });
      }
    }
  });

  it('fingerprints a query by its values, whatever the key order or the spelling of an absent value', () => {
    const a = queryFingerprint({ order: 'NEWEST_FIRST', kind: 'purchase', from: 5n, to: null });
    const b = queryFingerprint({ kind: 'purchase', from: 5n, order: 'NEWEST_FIRST' });
    expect(a).toBe(b);
    expect(queryFingerprint({ kind: 'purchase', from: 5n, order: 'OLDEST_FIRST' })).not.toBe(a);
    expect(queryFingerprint({ kind: 'purchase', from: 6n, order: 'NEWEST_FIRST' })).not.toBe(a);
    expect(queryFingerprint({ kind: 'purchase', to: 5n, order: 'NEWEST_FIRST' })).not.toBe(a);
  });
});
