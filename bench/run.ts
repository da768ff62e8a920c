/**
 * Benchmark entry point: `npm run bench [-- FILTER]` compiles with tsc and runs `node lib/bench/run.js [FILTER]`.
 * Every module in BENCHES whose name contains FILTER runs in turn; the exit code is 1 if any reports wrong results.
 * Add a benchmark by writing a `BenchModule` in its own file and listing it here.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cidrAggregateBench } from './cidr-aggregate.js';
import { egressSynthBench } from './egress-synth.js';
import { planBench } from './plan.js';
import { policySynthBench } from './policy-synth.js';
import type { BenchModule } from './types.js';

const BENCHES: readonly BenchModule[] = [cidrAggregateBench, egressSynthBench, planBench, policySynthBench];

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
  for (const b of selected) {
    process.stdout.write(`\n== ${b.name}: ${b.description}\n`);
    const ok = await b.run({ root, workDir, log: (line) => process.stdout.write(`${line}\n`) });
    if (!ok) failed = true;
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
