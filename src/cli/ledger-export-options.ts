import { EXPORT_FORMATS, ExportFormat } from '../audit/export-format';
import { Instant, parseRfc3339 } from '../common/time/instant';

export const EXPORT_USAGE = `usage: npm run ledger:export -- [--from <instant>] [--to <instant>] [--format ndjson|csv] [--out <file>]
  --from    first instant, inclusive (RFC 3339 with an offset, e.g. 2026-11-01T00:00:00Z); default: the beginning
  --to      last instant, exclusive; default: everything recorded when the export starts
  --format  ndjson (default) or csv
  --out     write to this file (replaced only once the export is complete); default: stdout
Selects ledger entries by when their transaction entered the ledger (recorded_at). A progress bar is shown on
stderr when it is a terminal. DATABASE_URL selects the database; without it, the embedded one of \`npm start\`.`;

export interface ExportOptions {
  from: Instant | null;
  to: Instant | null;
  format: ExportFormat;
  out: string | null;
}

/** The command line of the export; throws an Error whose message says what is wrong (and how to call it). */
export function parseExportOptions(argv: readonly string[]): ExportOptions | 'help' {
  const options: ExportOptions = { from: null, to: null, format: 'ndjson', out: null };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null];
    if (!['--from', '--to', '--format', '--out'].includes(name)) throw new Error(`unknown argument ${arg}\n${EXPORT_USAGE}`);
    if (seen.has(name)) throw new Error(`${name} is given twice`);
    seen.add(name);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`${name} needs a value\n${EXPORT_USAGE}`);
    if (name === '--from' || name === '--to') {
      const instant = parseRfc3339(value);
      if (!instant) throw new Error(`${name} must be an RFC 3339 instant with an offset, e.g. 2026-11-01T00:00:00Z (got "${value}")`);
      options[name === '--from' ? 'from' : 'to'] = instant;
    } else if (name === '--format') {
      if (!EXPORT_FORMATS.includes(value as ExportFormat)) throw new Error(`--format must be ndjson or csv (got "${value}")`);
      options.format = value as ExportFormat;
    } else {
      options.out = value;
    }
  }
  if (options.from && options.to && options.to.epochMicros < options.from.epochMicros) {
    throw new Error('--to must not be before --from');
  }
  return options;
}
