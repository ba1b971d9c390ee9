// Command-line options of `npm run bench -- [options]`.
const USAGE = `usage: npm run bench -- [--quick] [--duration N] [--repeat N] [--large] [--keep] [--connections N]
                          [--skip-redemptions] [--raw-batch]
  --quick          short scenarios (5 s each) for a smoke check
  --duration N     seconds per scenario (default 20, or 5 with --quick)
  --repeat N       run the scenarios and the baseline N times, interleaved, and judge the targets on the
                   median of each figure (default 1)
  --large          also load 5,000,000 past purchases (10,000,000 ledger entries) and re-run scenario a
  --keep           keep the bench database (on DATABASE_URL's server) instead of dropping it
  --connections N  concurrent connections of the load generator and of the raw baseline (default 64)
  --skip-redemptions
                   only the purchase scenarios a-d, g (batches of 500) and their raw baselines, not the
                   redemption scenarios e and f (for back-to-back purchase comparisons)
  --raw-batch      only the raw batched grid, no HTTP scenarios: record_purchases() called directly with 1, 10,
                   100, 500 and 1,000 purchases per call from 2, 4 and 8 connections (N s per cell, default 5),
                   printing purchases/s, PostgreSQL CPU and WAL bytes per purchase, each cell checked in SQL
Without DATABASE_URL an embedded PostgreSQL is started in a temporary folder and removed at the end.`;

export function parseOptions(argv) {
  const options = { quick: false, duration: null, repeat: 1, large: false, keep: false, connections: 64, redemptions: true, rawBatch: false };
  const number = (name, value, min, max) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} needs a whole number from ${min} to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--large') options.large = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--skip-redemptions') options.redemptions = false;
    else if (arg === '--raw-batch') options.rawBatch = true;
    else if (arg === '--duration') options.duration = number(arg, argv[++i], 1, 3600);
    else if (arg === '--repeat') options.repeat = number(arg, argv[++i], 1, 20);
    else if (arg === '--connections') options.connections = number(arg, argv[++i], 1, 1000);
    else if (arg === '--help' || arg === '-h') return { help: USAGE };
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  options.duration ??= options.quick || options.rawBatch ? 5 : 20;
  options.warmup = options.quick ? 2 : 5;
  return options;
}
