// CPU use during a scenario, from /proc (Linux; elsewhere the figures are left out), in percent of one core: the
// service, the load generator (this process), PostgreSQL (when it runs on this machine) and everything else.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime... */
function stat(pid) {
  const text = read(`/proc/${pid}/stat`);
  return text ? text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number) : null;
}

const ticks = (pid) => {
  const f = stat(pid);
  return f ? f[11] + f[12] : null;
};

/** The server's own time, its exited backends' (reaped: cutime, cstime) and its live backends'. */
function postgresTicks(postmasterPid) {
  const own = stat(postmasterPid);
  if (!own) return null;
  let total = own[11] + own[12] + own[13] + own[14];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = stat(entry);
    if (f && f[1] === postmasterPid) total += f[11] + f[12];
  }
  return total;
}

/** PID of the PostgreSQL server behind `client` when it runs on this machine, else null. */
export async function findPostmaster(client, url) {
  if (!['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(url).hostname)) return null;
  const { rows } = await client.query('select pg_backend_pid() as pid');
  const backend = stat(rows[0].pid);
  if (!backend || read(`/proc/${rows[0].pid}/comm`)?.trim() !== 'postgres') return null;
  return read(`/proc/${backend[1]}/comm`)?.trim() === 'postgres' ? backend[1] : null;
}

function sample({ service, postmaster }) {
  const machine = read('/proc/stat');
  if (!machine) return null;
  const cpu = machine.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((x, y) => x + y, 0);
  return {
    at: performance.now(),
    service: service ? ticks(service) : null,
    generator: ticks(process.pid),
    postgres: postmaster ? postgresTicks(postmaster) : null,
    busy: total - cpu[3] - (cpu[4] ?? 0),
    total,
    cores: machine.split('\n').filter((l) => /^cpu\d/.test(l)).length,
  };
}

/** Starts measuring; the returned function gives serviceCpu, generatorCpu, postgresCpu, otherCpu (% of one core). */
export function measureCpu(pids) {
  const start = sample(pids);
  return () => {
    const end = sample(pids);
    if (!start || !end) return {};
    const seconds = (end.at - start.at) / 1000;
    const share = (key) =>
      start[key] === null || end[key] === null ? null : (100 * (end[key] - start[key])) / TICKS_PER_SECOND / seconds;
    const machine = (100 * end.cores * (end.busy - start.busy)) / (end.total - start.total);
    const known = ['service', 'generator', 'postgres'].map(share);
    return {
      serviceCpu: known[0],
      generatorCpu: known[1],
      postgresCpu: known[2],
      otherCpu: Math.max(0, machine - known.reduce((x, y) => x + (y ?? 0), 0)),
      machineCpu: machine,
      cores: end.cores,
    };
  };
}

/** How busy the machine is (percent of one core, summed over cores) over `ms`, before the bench runs. */
export async function machineBusy(ms) {
  const measure = measureCpu({});
  await new Promise((resolve) => setTimeout(resolve, ms));
  return measure().machineCpu ?? null;
}
