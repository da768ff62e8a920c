/**
 * End-to-end egress blocking benchmark: a 1M-line mixed feed to sharded Cilium + Calico YAML on disk, netsec against a
 * plain cdk8s ApiObject + cidr-tools path, each as its own process, medians of 3 runs (wall time, peak RSS). Both
 * outputs must hold the same number of prefixes, or the bench fails.
 *
 * Targets: at most ~1.5 s on a 2-core machine, at least 3x faster than the plain cdk8s path.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFeed } from './cidr-feed.js';
import { measure, median, type Measurement } from './measure.js';
import type { BenchModule } from './types.js';

async function medianOf(runs: number, fn: () => Promise<Measurement>): Promise<Measurement> {
  const ms: Measurement[] = [];
  for (let i = 0; i < runs; i++) ms.push(await fn());
  return { seconds: median(ms.map((m) => m.seconds)), peakRssMiB: median(ms.map((m) => m.peakRssMiB)) };
}

export const egressSynthBench: BenchModule = {
  name: 'egress-synth',
  description: '1M-line feed to sharded Cilium + Calico YAML: netsec vs plain cdk8s ApiObjects + cidr-tools',
  async run({ root, workDir, log }) {
    const feed = join(workDir, 'egress-1m-mixed.txt');
    if (!existsSync(feed)) writeFileSync(feed, generateFeed({ lines: 1_000_000, seed: 6, v6Share: 0.3 }));
    const lib = join(root, 'lib', 'bench');
    const counts: Record<string, string> = {};
    const runOne = (name: string) => async () => {
      const out = join(workDir, `egress-${name}.out`);
      const m = await measure('node', ['--max-old-space-size=4096', join(lib, `egress-synth-${name}.js`), feed, join(workDir, `egress-${name}-dist`)], out);
      counts[name] = (await import('node:fs')).readFileSync(out, 'utf8').trim();
      return m;
    };
    const netsec = await medianOf(3, runOne('netsec'));
    const plain = await medianOf(3, runOne('plain'));
    log(`1M mixed lines -> sharded Cilium + Calico YAML (median of 3)`);
    log(`  netsec (validated, budgeted shards)  ${netsec.seconds.toFixed(3)} s  ${netsec.peakRssMiB.toFixed(0)} MiB`);
    log(`  plain cdk8s + cidr-tools             ${plain.seconds.toFixed(3)} s  ${plain.peakRssMiB.toFixed(0)} MiB`);
    log(`  ratio plain/netsec: ${(plain.seconds / netsec.seconds).toFixed(2)}x (target >= 3x); netsec target <= ~1.5 s`);
    if (counts.netsec !== counts.plain) {
      log(`  MISMATCH: netsec emitted ${counts.netsec} prefixes, plain ${counts.plain}`);
      return false;
    }
    log(`  both emitted ${counts.netsec} aggregated prefixes`);
    return true;
  },
};
