/**
 * The export's line formats: one line per ledger entry, with its transaction. Plain data, no framework. Amounts and
 * ids stay decimal text end to end (a bigint never passes through a JS number); instants are UTC with microseconds.
 */
export type ExportFormat = 'ndjson' | 'csv';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'csv'];

export interface ExportedEntry {
  entryId: string;
  transactionId: string;
  transactionKey: string;
  kind: string;
  /** The purchase the transaction records or, for a return, the purchase returned. */
  purchaseId: string | null;
  correctsId: string | null;
  effectiveAt: string;
  recordedAt: string;
  accountCode: string;
  amount: string;
  returnId: string | null;
  /** The redemption, or the one a cancellation cancels. */
  redemptionId: string | null;
  adjustmentId: string | null;
  /** Who made an adjustment, a redemption or a cancellation. */
  actor: string | null;
  /** An adjustment's reason. */
  reason: string | null;
}

/**
 * The columns in their order. Columns are only ever appended, so that a reader of an older export format keeps
 * its positions (the lifecycle's five came after amount).
 */
const CSV_COLUMNS: ReadonlyArray<[keyof ExportedEntry, string]> = [
  ['entryId', 'entry_id'],
  ['transactionId', 'transaction_id'],
  ['transactionKey', 'transaction_key'],
  ['kind', 'kind'],
  ['purchaseId', 'purchase_id'],
  ['correctsId', 'corrects_id'],
  ['effectiveAt', 'effective_at'],
  ['recordedAt', 'recorded_at'],
  ['accountCode', 'account_code'],
  ['amount', 'amount'],
  ['returnId', 'return_id'],
  ['redemptionId', 'redemption_id'],
  ['adjustmentId', 'adjustment_id'],
  ['actor', 'actor'],
  ['reason', 'reason'],
];

/** What comes before the first entry: CSV's header line; nothing for NDJSON. */
export function exportHeader(format: ExportFormat): string {
  return format === 'csv' ? `${CSV_COLUMNS.map(([, name]) => name).join(',')}\n` : '';
}

/** One entry as one line, newline included. */
export function formatEntry(format: ExportFormat, entry: ExportedEntry): string {
  if (format === 'ndjson') return `${JSON.stringify(entry)}\n`;
  return `${CSV_COLUMNS.map(([key]) => csvField(entry[key])).join(',')}\n`;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; null is an empty field. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
