import { parseRfc3339 } from '../../common/time/instant';

/**
 * One line of an import file turned into what GraphQL would hand recordPurchase for a RecordPurchaseInput: the
 * same field types (strings, 32-bit integers, a DateTime's Instant), so that the batch path then applies exactly
 * recordPurchase's rules. A line that cannot be read that far is refused here with the reason.
 */
export type ParsedLine = { ok: true; input: Record<string, unknown> } | { ok: false; reason: string };

export const IMPORT_FIELDS = ['transactionId', 'customerId', 'productId', 'quantity', 'unitPriceCents', 'purchasedAt'] as const;
const TEXT_FIELDS = new Set(['transactionId', 'customerId', 'productId']);
const INT_FIELDS = new Set(['quantity', 'unitPriceCents']);
const OPTIONAL = new Set(['unitPriceCents', 'purchasedAt']);
const INT32 = 2 ** 31;

const refused = (reason: string): ParsedLine => ({ ok: false, reason });

/** GraphQL's coercion of the input object's fields; `fromText` is CSV, where every value is written as text. */
function coerce(fields: Record<string, unknown>, fromText: boolean): ParsedLine {
  const input: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(fields)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(name)) return refused(`unknown field ${name}`);
    const value = fromText && raw === '' && OPTIONAL.has(name) ? null : raw;
    if (value === null || value === undefined) {
      if (!OPTIONAL.has(name)) return refused(`${name} is required`);
      input[name] = null;
    } else if (TEXT_FIELDS.has(name)) {
      if (typeof value !== 'string') return refused(`${name} must be a string`);
      input[name] = value;
    } else if (INT_FIELDS.has(name)) {
      const number = fromText && typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isInteger(number) || Math.abs(number) >= INT32) {
        return refused(`${name} must be a 32-bit integer`);
      }
      input[name] = number;
    } else {
      const instant = typeof value === 'string' ? parseRfc3339(value) : null;
      if (instant === null) return refused('purchasedAt must be an RFC 3339 date-time with an offset, e.g. 2026-11-24T18:30:00-08:00');
      input[name] = instant;
    }
  }
  for (const name of IMPORT_FIELDS) if (!OPTIONAL.has(name) && !(name in input)) return refused(`${name} is required`);
  return { ok: true, input };
}

/** An NDJSON line: one JSON object with the RecordPurchaseInput fields. */
export function parseNdjsonLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return refused(`not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return refused('a JSON object is expected');
  return coerce(value as Record<string, unknown>, false);
}

/**
 * The cells of one CSV line (RFC 4180 quoting: "a ""quoted"", value"), or null when its quotes do not close. A
 * field never spans lines here: the file is read line by line.
 */
export function csvCells(text: string): string[] | null {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) return null;
        cell += text.slice(i, close);
        if (text[close + 1] === '"') {
          cell += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      if (i < text.length && text[i] !== ',') return null;
      cells.push(cell);
    } else {
      const comma = text.indexOf(',', i);
      cells.push(text.slice(i, comma < 0 ? text.length : comma));
      i = comma < 0 ? text.length : comma;
    }
    if (i >= text.length) return cells;
    i++; // the comma
  }
}

/** The header row: the column names, each one of the input's fields, none twice, the required ones present. */
export function parseCsvHeader(text: string): string[] {
  const columns = csvCells(text.replace(/^\uFEFF/, ''))?.map((c) => c.trim());
  if (!columns) throw new Error('the CSV header row has an unclosed quote');
  for (const column of columns) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(column)) throw new Error(`the CSV header names an unknown column "${column}"`);
  }
  if (new Set(columns).size !== columns.length) throw new Error('the CSV header names a column twice');
  const missing = IMPORT_FIELDS.filter((f) => !OPTIONAL.has(f) && !columns.includes(f));
  if (missing.length) throw new Error(`the CSV header lacks ${missing.join(', ')}`);
  return columns;
}

export function parseCsvLine(text: string, columns: readonly string[]): ParsedLine {
  const cells = csvCells(text);
  if (cells === null) return refused('unclosed quote');
  if (cells.length !== columns.length) return refused(`${cells.length} cells where the header has ${columns.length}`);
  return coerce(Object.fromEntries(columns.map((c, i) => [c, cells[i]])), true);
}
