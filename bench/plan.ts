/**
 * `netsec plan` after a daily refresh against `netsec synth` of the same input (issue 14): a 1M-line mixed feed is
 * synthesized into dist/ (Cilium 1.18 + Calico 3.30 targets, as in the egress bench), then 1% of its lines are
 * replaced. Both commands run as their own processes on the refreshed feed, as users run them, median of 5 runs:
 *   - synth: read + aggregate + shard + validate + write (into a folder of its own, so dist/ stays the old tree);
 *   - plan: the same synthesis, plus reading the committed dist/ and comparing it, writing nothing.
 * Target: plan <= 1.3x synth. The plan's prefix totals of each block must equal `netsec cidrs diff` of the two feeds,
 * or the bench fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCount } from '../src/core/errors.js';
import { generateFeed, seededRandom } from './cidr-feed.js';
import { measure, median, type Measurement } from './measure.js';
import type { BenchModule } from './types.js';

const RUNS = 5;
const TARGET_RATIO = 1.3;

/** The feed after a 1% refresh: 1% of the lines dropped at random, 1% new lines appended. */
function refresh(feed: string): string {
  const r = seededRandom(8);
  const kept = feed.split('\n').filter((l, i) => l !== '' && (i === 0 || r() >= 0.01));
  const fresh = generateFeed({ lines: 10_000, seed: 7, v6Share: 0.3 }).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  return `${[...kept, ...fresh].join('\n')}\n`;
}

function config(feed: string): string {
  return [
    'targets:',
    '  - { name: cilium, kubernetes: "1.30", cilium: "1.18", cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] } }',
    '  - { name: calico, kubernetes: "1.30", calico: "3.30", cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] } }',
    'egressBlocking:',
    '  - name: geo-block',
    `    feeds: [{ file: ${JSON.stringify(feed)} }]`,
    // The cluster's ranges are refused by the overlap check, and a random feed covers them; leave them out.
    '    except: [10.0.0.0/8]',
    '',
  ].join('\n');
}

async function medianOf(runs: number, fn: () => Promise<Measurement>): Promise<Measurement> {
  const ms: Measurement[] = [];
  for (let i = 0; i < runs; i++) ms.push(await fn());
  return { seconds: median(ms.map((m) => m.seconds)), peakRssMiB: median(ms.map((m) => m.peakRssMiB)) };
}

function netsec(root: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [join(root, 'bin', 'netsec'), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const planBench: BenchModule = {
  name: 'plan',
  description: '`netsec plan` after a 1% refresh of a 1M-line feed vs `netsec synth` of the same (target: plan <= 1.3x synth)',
  async run({ root, workDir, log, record }) {
    const day1 = join(workDir, 'plan-feed-day1.txt');
    const day2 = join(workDir, 'plan-feed-day2.txt');
    if (!existsSync(day1)) writeFileSync(day1, generateFeed({ lines: 1_000_000, seed: 6, v6Share: 0.3 }));
    if (!existsSync(day2)) writeFileSync(day2, refresh(readFileSync(day1, 'utf8')));
    const config1 = join(workDir, 'plan-day1.yaml');
    const config2 = join(workDir, 'plan-day2.yaml');
    writeFileSync(config1, config(day1));
    writeFileSync(config2, config(day2));
    const dist = join(workDir, 'plan-dist');
    const first = netsec(root, ['synth', '-c', config1, '--out', dist]);
    if (first.status !== 0) throw new Error(`netsec synth of day 1 exited with ${first.status}: ${first.stderr.slice(0, 500)}`);

    const synth = await medianOf(RUNS, () =>
      measure('node', [join(root, 'bin', 'netsec'), 'synth', '-c', config2, '--out', join(workDir, 'plan-synth-dist')], join(workDir, 'plan-synth.out')),
    );
    const plan = await medianOf(RUNS, () => measure('node', [join(root, 'bin', 'netsec'), 'plan', '-c', config2, '--out', dist], join(workDir, 'plan-plan.out')));
    const ratio = plan.seconds / synth.seconds;
    log(`1M mixed lines, 1% refreshed; Cilium + Calico targets (median of ${RUNS})`);
    log(`  netsec synth (day 2)                 ${synth.seconds.toFixed(3)} s  ${synth.peakRssMiB.toFixed(0)} MiB`);
    log(`  netsec plan (day 2 against day 1)    ${plan.seconds.toFixed(3)} s  ${plan.peakRssMiB.toFixed(0)} MiB`);
    log(`  ratio plan/synth: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x): ${ratio <= TARGET_RATIO ? 'MET' : 'NOT MET'}`);
    record({
      what: '`netsec plan`, 1M-line feed, 1% refreshed',
      netsec: `${plan.seconds.toFixed(3)} s`,
      yardstick: `netsec synth: ${synth.seconds.toFixed(3)} s`,
      ratio: `${ratio.toFixed(2)}x synth`,
      target: `<= ${TARGET_RATIO}x synth`,
      met: ratio <= TARGET_RATIO,
    });

    // Correctness: each block's prefix totals are what `netsec cidrs diff` says about the two feeds.
    const planJson = netsec(root, ['plan', '-c', config2, '--out', dist, '--output', 'json', '--detailed-exitcode']);
    const diffJson = netsec(root, ['cidrs', 'diff', day1, day2, '--except', '10.0.0.0/8', '--output', 'json']);
    if (planJson.status !== 2 || diffJson.status !== 0) {
      log(`  MISMATCH: plan --detailed-exitcode exited ${planJson.status} (expected 2), cidrs diff ${diffJson.status}: ${planJson.stderr.slice(0, 300)}${diffJson.stderr.slice(0, 300)}`);
      return false;
    }
    const { summary } = JSON.parse(diffJson.stdout) as { summary: { addedPrefixes: number; removedPrefixes: number } };
    const blocks = (JSON.parse(planJson.stdout) as { blocks: { target: string; block: string; prefixesAdded: number; prefixesRemoved: number }[] }).blocks;
    const wrong = blocks.filter((b) => b.prefixesAdded !== summary.addedPrefixes || b.prefixesRemoved !== summary.removedPrefixes);
    if (blocks.length !== 2 || wrong.length) {
      log(`  MISMATCH: cidrs diff +${summary.addedPrefixes} / -${summary.removedPrefixes}; plan blocks ${blocks.map((b) => `${b.target}/${b.block} +${b.prefixesAdded} / -${b.prefixesRemoved}`).join(', ')}`);
      return false;
    }
    log(`  plan totals equal cidrs diff on both targets: +${formatCount(summary.addedPrefixes)} / -${formatCount(summary.removedPrefixes)} prefixes`);
    return true;
  },
};
