import { csvField, exportHeader, ExportedEntry, formatEntry } from './export-format';

const entry: ExportedEntry = {
  entryId: '9007199254740993',
  transactionId: '3f0c1a52-8f34-4c36-9d8e-0e8b6c1f2a11',
  transactionKey: 'purchase:1b7e',
  kind: 'purchase',
  purchaseId: '1b7e0000-0000-4000-8000-000000000000',
  correctsId: null,
  effectiveAt: '2026-11-24T18:30:00.000000Z',
  recordedAt: '2026-11-24T18:30:00.123456Z',
  accountCode: 'program:liability',
  amount: '-9223372036854775807',
  returnId: null,
  redemptionId: null,
  adjustmentId: null,
  actor: null,
  reason: null,
};

const adjustment: ExportedEntry = {
  ...entry,
  transactionKey: 'adjustment:5d1c',
  kind: 'adjustment',
  purchaseId: null,
  accountCode: 'program:adjustments',
  amount: '-25',
  adjustmentId: '5d1c0000-0000-4000-8000-000000000000',
  actor: 'admin',
  reason: 'goodwill, "late" delivery',
};

describe('export formats', () => {
  it('writes NDJSON with bigints as exact decimal strings and nulls as null', () => {
    const line = formatEntry('ndjson', entry);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(entry);
    expect(line).toContain('"amount":"-9223372036854775807"');
  });

  it('writes CSV rows under a header with the same columns', () => {
    const header = exportHeader('csv').trimEnd().split(',');
    const row = formatEntry('csv', entry).trimEnd().split(',');
    expect(header).toHaveLength(15);
    expect(row).toHaveLength(15);
    expect(row[header.indexOf('amount')]).toBe('-9223372036854775807');
    expect(row[header.indexOf('corrects_id')]).toBe('');
    expect(exportHeader('ndjson')).toBe('');
  });

  it("keeps the first ten columns where they were, and appends the lifecycle's references, actor and reason", () => {
    expect(exportHeader('csv')).toBe(
      'entry_id,transaction_id,transaction_key,kind,purchase_id,corrects_id,effective_at,recorded_at,account_code,amount,' +
        'return_id,redemption_id,adjustment_id,actor,reason\n',
    );
    expect(formatEntry('csv', adjustment)).toBe(
      '9007199254740993,3f0c1a52-8f34-4c36-9d8e-0e8b6c1f2a11,adjustment:5d1c,adjustment,,,2026-11-24T18:30:00.000000Z,' +
        '2026-11-24T18:30:00.123456Z,program:adjustments,-25,,,5d1c0000-0000-4000-8000-000000000000,admin,' +
        '"goodwill, ""late"" delivery"\n',
    );
    expect(Object.keys(JSON.parse(formatEntry('ndjson', adjustment))).slice(10)).toEqual([
      'returnId',
      'redemptionId',
      'adjustmentId',
      'actor',
      'reason',
    ]);
  });

  it('quotes CSV fields that need it, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
  });
});
