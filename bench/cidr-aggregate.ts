/**
 * Aggregation benchmark: netsec's CIDR engine against `iprange --optimize` (C, IPv4 only) and cidr-tools 11 on the
 * same generated feeds (10k, 100k, 1M lines; IPv4-only and mixed). Each aggregator runs as its own process;
 * wall time and peak RSS are medians of several runs. The three outputs must be the same set, or the bench fails.
 *
 * Targets (docs/product): 1M IPv4 lines within 1.5x of iprange; >= 4x faster than cidr-tools on the mixed 1M file;
 * peak RSS <= 250 MiB. Issue 14 tightens two: `netsec cidrs aggregate` (the CLI) <= 1.0x iprange on 1M IPv4 lines,
 * the engine >= 5x faster than cidr-tools on mixed 1M.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregate, parseCidrs } from '../src/cidr/index.js';
import { generateFeed } from './cidr-feed.js';
import { ensureAptPackage, have, measure, median, type Measurement } from './measure.js';
import type { BenchContext, BenchModule } from './types.js';

const SIZES = [
  { label: '10k', lines: 10_000, runs: 5 },
  { label: '100k', lines: 100_000, runs: 5 },
  { label: '1M', lines: 1_000_000, runs: 5 },
] as const;

const KINDS = [
  { label: 'ipv4', v6Share: 0, seed: 4 },
  { label: 'mixed', v6Share: 0.3, seed: 6 },
] as const;

/** Canonical, aggregated lines of an aggregator's output (iprange prints single addresses without /32). */
export function normalise(text: string, source: string): readonly string[] {
  const lines = text.split('\n').filter((l) => l !== '').map((l) => (l.includes('/') ? l : `${l}/${l.includes(':') ? 128 : 32}`));
  return aggregate(parseCidrs(lines.join('\n'), { source }).prefixes).set.toStrings();
}

interface Row {
  file: string;
  lines: number;
  netsec: Measurement;
  /** `netsec cidrs aggregate FILE`: the engine plus the CLI's start-up (yargs, option checks). */
  netsecCli: Measurement;
  iprange?: Measurement;
  cidrTools?: Measurement;
}

async function medianOf(runs: number, fn: () => Promise<Measurement>): Promise<Measurement> {
  const ms: Measurement[] = [];
  for (let i = 0; i < runs; i++) ms.push(await fn());
  return { seconds: median(ms.map((m) => m.seconds)), peakRssMiB: median(ms.map((m) => m.peakRssMiB)) };
}

const fmt = (m?: Measurement) => (m ? `${m.seconds.toFixed(3)} s ${m.peakRssMiB.toFixed(0).padStart(4)} MiB` : 'n/a').padEnd(18);

export const cidrAggregateBench: BenchModule = {
  name: 'cidr-aggregate',
  description: 'CIDR aggregation: netsec (engine and CLI) vs iprange --optimize vs cidr-tools mergeCidr (10k/100k/1M lines)',
  async run(ctx: BenchContext): Promise<boolean> {
    const dir = join(ctx.workDir, 'cidr');
    mkdirSync(dir, { recursive: true });
    ensureAptPackage(() => existsSync('/usr/bin/time'), 'time', ctx.log);
    const withIprange = ensureAptPackage(() => have('iprange'), 'iprange', ctx.log);
    const netsecScript = join(ctx.root, 'lib', 'bench', 'cidr-aggregate-netsec.js');
    const cidrToolsScript = join(ctx.root, 'lib', 'bench', 'cidr-aggregate-cidrtools.js');
    const netsecCli = join(ctx.root, 'bin', 'netsec');
    const rows: Row[] = [];
    let ok = true;
    for (const size of SIZES) {
      for (const kind of KINDS) {
        const name = `${kind.label}-${size.label}`;
        const file = join(dir, `${name}.txt`);
        if (!existsSync(file)) writeFileSync(file, generateFeed({ lines: size.lines, seed: kind.seed, v6Share: kind.v6Share }));
        const outNetsec = join(dir, `${name}.netsec.out`);
        const outNetsecCli = join(dir, `${name}.netsec-cli.out`);
        const outIprange = join(dir, `${name}.iprange.out`);
        const outCidrTools = join(dir, `${name}.cidr-tools.out`);
        ctx.log(`  ${name}: running (${size.runs} runs each)…`);
        const row: Row = {
          file: name, lines: size.lines,
          netsec: await medianOf(size.runs, () => measure(process.execPath, [netsecScript, file], outNetsec)),
          netsecCli: await medianOf(size.runs, () => measure(process.execPath, [netsecCli, 'cidrs', 'aggregate', file], outNetsecCli)),
        };
        if (withIprange && kind.v6Share === 0) {
          row.iprange = await medianOf(size.runs, () => measure('iprange', ['--optimize', file], outIprange));
        }
        row.cidrTools = await medianOf(size.runs, () => measure(process.execPath, [cidrToolsScript, file], outCidrTools));
        // Same set from every aggregator, and netsec's output already canonical and minimal.
        const ours = readFileSync(outNetsec, 'latin1').split('\n').filter((l) => l !== '');
        const expected = normalise(ours.join('\n'), outNetsec);
        const peers: Array<[string, string | undefined]> = [
          ['netsec (canonical form)', ours.join('\n')],
          ['netsec CLI', readFileSync(outNetsecCli, 'latin1')],
          ['iprange', row.iprange ? readFileSync(outIprange, 'latin1') : undefined],
          ['cidr-tools', readFileSync(outCidrTools, 'latin1')],
        ];
        for (const [who, text] of peers) {
          if (text === undefined) continue;
          const got = who === 'netsec CLI' ? text.split('\n').filter((l) => l !== '') : who.startsWith('netsec') ? ours : normalise(text, who);
          if (got.length !== expected.length || got.some((l, i) => l !== expected[i])) {
            const i = got.findIndex((l, k) => l !== expected[k]);
            ctx.log(`MISMATCH on ${name}: ${who} differs from netsec at line ${i + 1}: '${got[i]}' vs '${expected[i]}' (${got.length} vs ${expected.length} prefixes)`);
            ok = false;
          }
        }
        rows.push(row);
      }
    }
    ctx.log('');
    ctx.log(`| ${'feed'.padEnd(12)} | ${'netsec engine'.padEnd(18)} | ${'netsec CLI'.padEnd(18)} | ${'iprange --optimize'.padEnd(18)} | ${'cidr-tools 11'.padEnd(18)} | netsec/iprange | cidr-tools/netsec |`);
    ctx.log(`|${'-'.repeat(14)}|${'-'.repeat(20)}|${'-'.repeat(20)}|${'-'.repeat(20)}|${'-'.repeat(20)}|----------------|-------------------|`);
    for (const r of rows) {
      const vsIprange = r.iprange ? (r.netsec.seconds / r.iprange.seconds).toFixed(2) : 'n/a';
      const vsTools = r.cidrTools ? (r.cidrTools.seconds / r.netsec.seconds).toFixed(1) : 'n/a';
      ctx.log(`| ${r.file.padEnd(12)} | ${fmt(r.netsec)} | ${fmt(r.netsecCli)} | ${fmt(r.iprange)} | ${fmt(r.cidrTools)} | ${vsIprange.padStart(14)} | ${vsTools.padStart(17)} |`);
    }
    const v4 = rows.find((r) => r.file === 'ipv4-1M');
    const mixed = rows.find((r) => r.file === 'mixed-1M');
    ctx.log('');
    if (v4?.iprange) {
      const ratio = v4.netsec.seconds / v4.iprange.seconds;
      const cli = v4.netsecCli.seconds / v4.iprange.seconds;
      ctx.log(`target netsec <= 1.5x iprange on ipv4-1M (docs/product): ${ratio.toFixed(2)}x ${ratio <= 1.5 ? 'MET' : 'NOT MET'} (the CLI with its start-up: ${cli.toFixed(2)}x)`);
      // Issue 14's row is `netsec cidrs aggregate` as users run it, start-up included.
      ctx.log(`target netsec cidrs aggregate <= 1.0x iprange on ipv4-1M (issue 14): ${cli.toFixed(2)}x ${cli <= 1 ? 'MET' : 'NOT MET'}`);
      ctx.record({
        what: '`netsec cidrs aggregate` on 1M IPv4 lines',
        netsec: `${v4.netsecCli.seconds.toFixed(3)} s (engine ${v4.netsec.seconds.toFixed(3)} s)`,
        yardstick: `iprange --optimize: ${v4.iprange.seconds.toFixed(3)} s`,
        ratio: `${cli.toFixed(2)}x iprange (engine ${ratio.toFixed(2)}x)`,
        target: '<= 1.0x iprange',
        met: cli <= 1,
      });
    } else {
      ctx.log('target netsec <= 1.5x iprange on ipv4-1M: not measured (iprange unavailable)');
    }
    if (mixed?.cidrTools) {
      const ratio = mixed.cidrTools.seconds / mixed.netsec.seconds;
      ctx.log(`target netsec >= 5x faster than cidr-tools on mixed-1M (issue 14; docs/product: 4x): ${ratio.toFixed(1)}x ${ratio >= 5 ? 'MET' : 'NOT MET'} (the CLI: ${(mixed.cidrTools.seconds / mixed.netsecCli.seconds).toFixed(1)}x)`);
      ctx.record({
        what: 'mixed 1M aggregation, engine',
        netsec: `${mixed.netsec.seconds.toFixed(3)} s`,
        yardstick: `cidr-tools 11: ${mixed.cidrTools.seconds.toFixed(3)} s`,
        ratio: `${ratio.toFixed(1)}x faster`,
        target: '>= 5x faster',
        met: ratio >= 5,
      });
    }
    const peak = Math.max(...rows.map((r) => r.netsec.peakRssMiB));
    ctx.log(`target netsec peak RSS <= 250 MiB: ${peak.toFixed(0)} MiB ${peak <= 250 ? 'MET' : 'NOT MET'}`);
    if (!ok) ctx.log('FAILED: the aggregators disagree (see MISMATCH lines above).');
    return ok;
  },
};
