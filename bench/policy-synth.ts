/**
 * Policy synthesis benchmark: a chart with 1,000 Cilium policies built with netsec's constructs (typed rules, checks,
 * the DNS rule that follows NodeLocal DNSCache) against the same objects through plain cdk8s `ApiObject`s, in one
 * process. Both sides render to YAML; netsec's full `synthesize()` (schema validation per object) is timed too.
 * The two renderings must hold the same objects, or the bench fails.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiObject, App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { synthesize } from '../src/index.js';
import { median } from './measure.js';
import { buildPolicies } from './policies.js';
import type { BenchContext, BenchModule } from './types.js';

const POLICIES = 1_000;
const RUNS = 7;

/** The same manifests through plain `ApiObject`s: what a user writes without netsec (no checks, no DNS path). */
function buildPlain(manifests: readonly Record<string, any>[]): Chart {
  const app = new App({ outdir: 'unused' });
  const chart = new Chart(app, 'plain');
  manifests.forEach((m, i) => new ApiObject(chart, `Policy${i}`, { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec: m.spec }));
  return chart;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

const yamlOf = (objects: readonly unknown[]): string => objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');

export const policySynthBench: BenchModule = {
  name: 'policy-synth',
  description: `Cilium policy synthesis: ${POLICIES} CiliumNetworkPolicies through netsec constructs vs plain cdk8s ApiObjects, one process`,
  async run(ctx: BenchContext): Promise<boolean> {
    const rows = { plainRender: [] as number[], netsecRender: [] as number[], plainYaml: [] as number[], netsecSynth: [] as number[] };
    let ok = true;
    for (let run = 0; run < RUNS; run++) {
      const ours = time(() => (buildPolicies(POLICIES).chart.toJson() as Record<string, any>[]).filter((o) => o.kind === 'CiliumNetworkPolicy'));
      const theirs = time(() => buildPlain(ours.value).toJson() as Record<string, any>[]);
      const plainYaml = time(() => yamlOf(buildPlain(ours.value).toJson() as Record<string, any>[]));
      const full = time(() => synthesize(buildPolicies(POLICIES).app));
      if (full.value.findings.length || full.value.constructErrors.length) {
        ctx.log(`  netsec synthesize() reported ${full.value.findings.length} schema findings and ${full.value.constructErrors.length} construct errors`);
        ok = false;
      }
      if (!isDeepStrictEqual(ours.value, theirs.value) || yamlOf(ours.value) !== plainYaml.value) {
        ctx.log("  the plain ApiObject rendering differs from netsec's");
        ok = false;
      }
      rows.plainRender.push(theirs.ms);
      rows.netsecRender.push(ours.ms);
      rows.plainYaml.push(plainYaml.ms);
      rows.netsecSynth.push(full.ms);
    }
    const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)])) as Record<keyof typeof rows, number>;
    const line = (label: string, ms: number, base?: number) =>
      ctx.log(`  ${label.padEnd(80)} ${ms.toFixed(0).padStart(6)} ms${base ? `  (${(ms / base).toFixed(2)}x)` : ''}`);
    ctx.log(`  ${POLICIES} policies, median of ${RUNS} runs`);
    line('plain cdk8s ApiObject: build + toJson', m.plainRender);
    line('netsec constructs: build + rule checks + DNS path + toJson', m.netsecRender, m.plainRender);
    line('plain cdk8s end to end: build + toJson + YAML (yaml library, as cdk8s synth)', m.plainYaml);
    line('netsec synthesize() end to end: the above + schema validation + YAML files', m.netsecSynth, m.plainYaml);
    ctx.log(`  heap used after the runs: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
    return ok;
  },
};
