// Startup cost of the CLI, side by side with bare node, in one run (issue: foundation).
import { spawnSync } from 'node:child_process';
import { median, table } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const cases = [
  ['node -e 0 (baseline)', ['node', ['-e', '0']]],
  ['weclick --help', ['node', ['bin/run.js', '--help']]],
  ['weclick expiring --days 14 (example inventory)', ['node', ['bin/run.js', 'expiring', '--days', '14', '-i', 'inventory.example.yaml']]],
];

export function benchStartup() {
  const times = new Map(cases.map(([name]) => [name, []]));
  // Interleaved, so machine noise hits every case alike.
  for (let i = 0; i < RUNS + 2; i++) {
    for (const [name, [cmd, args]] of cases) {
      const start = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.error) throw r.error;
      if (i >= 2) times.get(name).push(ms); // the first rounds warm the file cache
    }
  }
  const base = median(times.get(cases[0][0]));
  const rows = cases.map(([name]) => {
    const m = median(times.get(name));
    return [name, `${m.toFixed(1)} ms`, `${(m / base).toFixed(2)}x`];
  });
  return table(`Startup (median of ${RUNS} runs; target: expiring <= 2.0x bare node)`, ['case', 'median', 'vs node -e 0'], rows);
}
