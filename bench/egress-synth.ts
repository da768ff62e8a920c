/**
 * End-to-end egress blocking benchmark: a 1M-line mixed feed to sharded Cilium + Calico YAML on disk, each path as
 * its own process, medians of 3 runs (wall time, peak RSS):
 *   - netsec: `netsec synth` on a netsec.yaml with one `egressBlocking` entry (a Cilium 1.18 and a Calico 3.30
 *     target): config validation, read + aggregate once, byte-budgeted shards, schema validation of every object,
 *     deterministic YAML, atomic write, exactly as users run it in CI;
 *   - plain: cdk8s ApiObjects + cidr-tools (bench/egress-synth-plain.ts).
 * Both outputs are then read back: every Cilium and Calico list of both paths must hold the same prefix set, or the
 * bench fails.
 *
 * Targets (issue 14): at most 0.5 s on a 2-core machine, at least 4x faster than the plain cdk8s path.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCidrSet } from '../src/cidr/aggregate.js';
import { generateFeed } from './cidr-feed.js';
import { measure, median, type Measurement } from './measure.js';
import type { BenchModule } from './types.js';

async function medianOf(runs: number, fn: () => Promise<Measurement>): Promise<Measurement> {
  const ms: Measurement[] = [];
  for (let i = 0; i < runs; i++) ms.push(await fn());
  return { seconds: median(ms.map((m) => m.seconds)), peakRssMiB: median(ms.map((m) => m.peakRssMiB)) };
}

/** Every YAML file under `dir`, recursively. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? yamlFiles(full) : name.endsWith('.yaml') ? [full] : [];
  });
}

/**
 * The canonical prefix set listed in the Cilium (`externalCIDRs`) or Calico (`nets`) objects of an output folder,
 * read from the YAML text: list items that are prefixes, in files whose names mention the product.
 */
export function prefixesIn(dir: string, product: 'cilium' | 'calico'): readonly string[] {
  const items: string[] = [];
  for (const file of yamlFiles(dir).filter((f) => f.includes(product))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*- ([0-9a-fA-F:.]+\/\d+)$/gm)) items.push(m[1]!);
  }
  return toCidrSet(items).toStrings();
}

export const egressSynthBench: BenchModule = {
  name: 'egress-synth',
  description: '1M-line feed to sharded Cilium + Calico YAML: `netsec synth` vs plain cdk8s ApiObjects + cidr-tools',
  async run({ root, workDir, log, record }) {
    const feed = join(workDir, 'egress-1m-mixed.txt');
    if (!existsSync(feed)) writeFileSync(feed, generateFeed({ lines: 1_000_000, seed: 6, v6Share: 0.3 }));
    const config = join(workDir, 'egress-netsec.yaml');
    writeFileSync(
      config,
      [
        'targets:',
        '  - { name: cilium, kubernetes: "1.30", cilium: "1.18" }',
        '  - { name: calico, kubernetes: "1.30", calico: "3.30" }',
        'egressBlocking:',
        '  - name: geo-block',
        `    feeds: [{ file: ${JSON.stringify(feed)} }]`,
        '',
      ].join('\n'),
    );
    const out = { netsec: join(workDir, 'egress-netsec-dist'), plain: join(workDir, 'egress-plain-dist') };
    const netsec = await medianOf(3, () =>
      measure('node', [join(root, 'bin', 'netsec'), 'synth', '-c', config, '--out', out.netsec], join(workDir, 'egress-netsec.out')),
    );
    const plain = await medianOf(3, () =>
      measure('node', ['--max-old-space-size=4096', join(root, 'lib', 'bench', 'egress-synth-plain.js'), feed, out.plain], join(workDir, 'egress-plain.out')),
    );
    log(`1M mixed lines -> sharded Cilium + Calico YAML (median of 3)`);
    log(`  netsec synth (validated, budgeted shards)  ${netsec.seconds.toFixed(3)} s  ${netsec.peakRssMiB.toFixed(0)} MiB`);
    log(`  plain cdk8s + cidr-tools                   ${plain.seconds.toFixed(3)} s  ${plain.peakRssMiB.toFixed(0)} MiB`);
    const speedup = plain.seconds / netsec.seconds;
    const met = speedup >= 4 && netsec.seconds <= 0.5;
    log(`  ratio plain/netsec: ${speedup.toFixed(2)}x (target >= 4x); netsec ${netsec.seconds.toFixed(3)} s (target <= 0.5 s): ${met ? 'MET' : 'NOT MET'}`);
    record({
      what: '1M-line feed -> sharded Cilium + Calico YAML',
      netsec: `${netsec.seconds.toFixed(3)} s, ${netsec.peakRssMiB.toFixed(0)} MiB`,
      yardstick: `plain cdk8s + cidr-tools: ${plain.seconds.toFixed(3)} s`,
      ratio: `${speedup.toFixed(2)}x faster`,
      target: '<= 0.5 s and >= 4x',
      met,
    });
    const sets = {
      'netsec cilium': prefixesIn(out.netsec, 'cilium'),
      'netsec calico': prefixesIn(out.netsec, 'calico'),
      'plain cilium': prefixesIn(out.plain, 'cilium'),
      'plain calico': prefixesIn(out.plain, 'calico'),
    };
    const reference = sets['plain cilium'].join('\n');
    const differing = Object.entries(sets).filter(([, s]) => s.join('\n') !== reference);
    if (differing.length || sets['plain cilium'].length === 0) {
      log(`  MISMATCH: ${Object.entries(sets).map(([k, s]) => `${k} ${s.length}`).join(', ')}; differing from plain cilium: ${differing.map(([k]) => k).join(', ')}`);
      return false;
    }
    log(`  all four lists hold the same ${reference.split('\n').length} aggregated prefixes`);
    return true;
  },
};
