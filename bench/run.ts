/**
 * Benchmark entry point: `npm run bench [-- FILTER]` compiles with tsc and runs `node lib/bench/run.js [FILTER]`.
 * Every module in BENCHES whose name contains FILTER runs in turn; the exit code is 1 if any reports wrong results.
 * Add a benchmark by writing a `BenchModule` in its own file and listing it here.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cidrAggregateBench } from './cidr-aggregate.js';
import { egressSynthBench } from './egress-synth.js';
import { explainBench } from './explain.js';
import { planBench } from './plan.js';
import { policySynthBench } from './policy-synth.js';
import { lintBench } from './lint.js';
import { scaleBench } from './scale.js';
import { startupBench } from './startup.js';
import { type BenchModule, type SummaryRow, verdict } from './types.js';

/** In order of user impact: start-up is paid on every command. */
const BENCHES: readonly BenchModule[] = [startupBench, cidrAggregateBench, egressSynthBench, planBench, policySynthBench, scaleBench, lintBench, explainBench];

/** The closing note: every recorded row with its ratio, target and verdict, as a Markdown table. */
function summary(rows: readonly SummaryRow[], log: (line: string) => void): void {
  const head = ['what a user runs', 'netsec', 'yardstick (same run)', 'ratio', 'target', 'verdict'];
  const cells = rows.map((r) => [r.what, r.netsec, r.yardstick, r.ratio, r.target, verdict(r.met)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  log('');
  log(`== summary (load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores; compare ratios, not seconds)`);
  log(line(head));
  log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) log(line(c));
  const missed = rows.filter((r) => r.met === false).length;
  log(`${rows.filter((r) => r.met === true).length} MET, ${missed} NOT MET, ${rows.filter((r) => r.met === undefined).length} without a target`);
}

async function main(argv: readonly string[]): Promise<number> {
  const filter = argv[0] ?? '';
  // Compiled to lib/bench/run.js: the repository root is two levels up.
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const workDir = join(root, '.bench');
  mkdirSync(workDir, { recursive: true });
  const selected = BENCHES.filter((b) => b.name.includes(filter));
  if (selected.length === 0) {
    process.stderr.write(`no benchmark matches '${filter}'; expected part of one of: ${BENCHES.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  let failed = false;
  const rows: SummaryRow[] = [];
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`load average at the start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`);
  for (const b of selected) {
    log(`\n== ${b.name}: ${b.description}`);
    const ok = await b.run({ root, workDir, log, record: (row) => rows.push(row) });
    if (!ok) failed = true;
  }
  summary(rows, log);
  if (failed) log('FAILED: a benchmark reported wrong results (see MISMATCH lines above).');
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
