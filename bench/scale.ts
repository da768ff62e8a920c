/**
 * Scale rows of issue 14: how cost grows with the work, each as its own process (wall time and peak RSS, median of 3):
 *   - 20 targets (10 Cilium, 10 Calico) sharing one 1M-line mixed feed against the 2-target config of the egress
 *     bench: the feed is read and aggregated once, so 10x the targets should cost far less than 10x the time. Every
 *     target's lists must hold the same prefix set, or the bench fails;
 *   - 10,000 Cilium policies through `synthesize()` (one run, at most 300 s) against 1,000 of the same shapes (10x the
 *     work).
 * No targets: these rows say how cost grows.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prefixesIn } from './egress-synth.js';
import { generateFeed } from './cidr-feed.js';
import { interleaved, measure, medianOf, type Measurement } from './measure.js';
import type { BenchModule } from './types.js';

const RUNS = 3;
/** Time limit of the 10,000-policy run (seconds). */
const TEN_K_LIMIT_S = 300;

function config(feed: string, targets: readonly string[]): string {
  return ['targets:', ...targets.map((t) => `  - ${t}`), 'egressBlocking:', '  - name: geo-block', `    feeds: [{ file: ${JSON.stringify(feed)} }]`, ''].join('\n');
}

const TWO = ['{ name: cilium, kubernetes: "1.30", cilium: "1.18" }', '{ name: calico, kubernetes: "1.30", calico: "3.30" }'];
const TWENTY = Array.from({ length: 20 }, (_, i) =>
  i % 2 === 0
    ? `{ name: cilium-${i >> 1}, kubernetes: "1.30", cilium: "${i % 4 === 0 ? '1.18' : '1.17'}" }`
    : `{ name: calico-${i >> 1}, kubernetes: "1.30", calico: "${i % 4 === 1 ? '3.30' : '3.28'}" }`,
);

const fmt = (m: Measurement) => `${m.seconds.toFixed(3)} s, ${m.peakRssMiB.toFixed(0)} MiB`;

export const scaleBench: BenchModule = {
  name: 'scale',
  description: 'Scale: 20 targets sharing one 1M-line feed vs 2 targets; 10,000 Cilium policies vs 1,000 (time and peak RSS)',
  async run({ root, workDir, log, record }) {
    let ok = true;
    const feed = join(workDir, 'egress-1m-mixed.txt');
    if (!existsSync(feed)) writeFileSync(feed, generateFeed({ lines: 1_000_000, seed: 6, v6Share: 0.3 }));
    const bin = join(root, 'bin', 'netsec');
    const configs = { two: join(workDir, 'scale-2-targets.yaml'), twenty: join(workDir, 'scale-20-targets.yaml') };
    writeFileSync(configs.two, config(feed, TWO));
    writeFileSync(configs.twenty, config(feed, TWENTY));
    const outs = { two: join(workDir, 'scale-out-2'), twenty: join(workDir, 'scale-out-20') };
    const feeds = await interleaved(RUNS, {
      two: () => measure(process.execPath, [bin, 'synth', '-c', configs.two, '--out', outs.two], join(workDir, 'scale-2.out')),
      twenty: () => measure(process.execPath, [bin, 'synth', '-c', configs.twenty, '--out', outs.twenty], join(workDir, 'scale-20.out')),
    });
    const growth = feeds.twenty.seconds / feeds.two.seconds;
    log(`1M mixed lines, one egressBlocking entry (median of ${RUNS})`);
    log(`  2 targets (1 Cilium, 1 Calico)     ${fmt(feeds.two)}`);
    log(`  20 targets (10 Cilium, 10 Calico)  ${fmt(feeds.twenty)}  (${growth.toFixed(2)}x the time for 10x the targets)`);
    record({ what: '20 targets sharing one 1M-line feed', netsec: fmt(feeds.twenty), yardstick: `2 targets: ${fmt(feeds.two)}`, ratio: `${growth.toFixed(2)}x for 10x targets`, target: 'none (growth)' });
    const reference = prefixesIn(join(outs.two, 'cilium'), 'cilium').join('\n');
    const names = TWENTY.map((t) => /name: ([\w-]+)/.exec(t)![1]!);
    const differing = names.filter((n) => prefixesIn(join(outs.twenty, n), n.startsWith('cilium') ? 'cilium' : 'calico').join('\n') !== reference);
    if (differing.length || reference === '') {
      log(`  MISMATCH: these targets' lists differ from the 2-target Cilium list: ${differing.join(', ') || '(the reference is empty)'}`);
      ok = false;
    } else {
      log(`  all 20 targets list the same ${reference.split('\n').length} prefixes as the 2-target run`);
    }

    const runner = join(root, 'lib', 'bench', 'policy-scale-run.js');
    const counts = (f: string) => readFileSync(join(workDir, f), 'utf8').trim();
    const thousand = await medianOf(RUNS, () => measure(process.execPath, [runner, '1000'], join(workDir, 'scale-policies-1k.out')));
    log(`Cilium policies through synthesize() (objects files bytes: 1k ${counts('scale-policies-1k.out')})`);
    log(`  1,000 policies   ${fmt(thousand)} (median of ${RUNS})`);
    // One run, with a time limit: the row exists to show how cost grows, and a run that does not finish says so.
    let tenThousand: Measurement | undefined;
    try {
      tenThousand = await measure(process.execPath, ['--max-old-space-size=4096', runner, '10000'], join(workDir, 'scale-policies-10k.out'), TEN_K_LIMIT_S * 1000);
    } catch (err) {
      log(`  10,000 policies  did not finish: ${(err as Error).message.slice(0, 200)}`);
    }
    if (tenThousand) {
      const growth = tenThousand.seconds / thousand.seconds;
      log(`  10,000 policies  ${fmt(tenThousand)} (one run; ${counts('scale-policies-10k.out')})  (${growth.toFixed(2)}x the time, ${(tenThousand.peakRssMiB / thousand.peakRssMiB).toFixed(2)}x the memory for 10x the policies)`);
      record({ what: '10,000 Cilium policies (synthesize)', netsec: fmt(tenThousand), yardstick: `1,000: ${fmt(thousand)}`, ratio: `${growth.toFixed(2)}x for 10x policies`, target: 'none (growth)' });
    } else {
      record({ what: '10,000 Cilium policies (synthesize)', netsec: `not done in ${TEN_K_LIMIT_S} s`, yardstick: `1,000: ${fmt(thousand)}`, ratio: `> ${(TEN_K_LIMIT_S / thousand.seconds).toFixed(0)}x for 10x policies`, target: 'none (growth)' });
    }
    return ok;
  },
};
