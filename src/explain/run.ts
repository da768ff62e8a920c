import { relative } from 'node:path';
import { NetsecError, echo, locateError } from '../core/errors.js';
import { Target } from '../core/target.js';
import { formatFinding } from '../core/validation/finding.js';
import { KubeObject } from './cilium.js';
import { createEvaluator } from './evaluate.js';
import { parseManifests, readManifestPaths } from './manifests.js';
import { FlowExpectation, FlowResult } from './model.js';
import { Scenario, ScenarioVersions, loadScenarioFile } from './scenario.js';
import type { SynthResult } from '../core/synth.js';

/** A scenario with the verdict of each of its flows (same order as `scenario.flows`). */
export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly versions: ScenarioVersions;
  readonly results: readonly FlowResult[];
}

/** What one run synthesized, by netsec.yaml path: scenarios that name the same config synthesize it once. */
export type SynthCache = Map<string, Promise<SynthResult>>;

/**
 * Loads scenario files, reads the manifests each names (or synthesizes its netsec.yaml in memory, once per config) and
 * judges every flow. Every file is checked before any flow is judged, so a bad scenario fails fast.
 */
export async function runScenarioFiles(files: readonly string[]): Promise<ScenarioRun[]> {
  const scenarios = files.map(loadScenarioFile);
  const cache: SynthCache = new Map();
  const runs: ScenarioRun[] = [];
  for (const s of scenarios) runs.push(await runScenario(s, cache));
  return runs;
}

/** Judges every flow of a loaded scenario. Errors about one flow carry that flow's location in the scenario file. */
export async function runScenario(scenario: Scenario, cache: SynthCache = new Map()): Promise<ScenarioRun> {
  const { versions, objects } = await inputsOf(scenario, cache);
  const judge = createEvaluator({ objects, cluster: scenario.cluster, versions });
  const results = scenario.flows.map((flow, i) => {
    try {
      return judge(flow);
    } catch (err) {
      // A flow the cluster cannot deliver (a Service port it lacks) is an error at that flow's place in the file.
      throw err instanceof NetsecError ? locateError(err, scenario.flowLocations[i] ?? { file: scenario.file }) : err;
    }
  });
  return { scenario, versions, results };
}

async function inputsOf(s: Scenario, cache: SynthCache): Promise<{ versions: ScenarioVersions; objects: KubeObject[] }> {
  if (typeof s.target !== 'string') return { versions: s.target, objects: s.manifests ? readManifestPaths(s.manifests, s.dir, targetOf('scenario', s.target)) : [] };
  const shownConfig = relative(s.dir, s.config!) || s.config!;
  // Loaded here, not at the top: cdk8s and the config machinery are needed only to synthesize a netsec.yaml.
  const [{ loadConfigFile }, { buildApp }, { synthesize }] = await Promise.all([
    import('../config/load.js'), import('../config/build.js'), import('../core/synth.js'),
  ]);
  const loaded = loadConfigFile(s.config!);
  const props = loaded.config.targets.find((t) => t.name === s.target);
  if (!props) {
    throw new NetsecError('CONFIG', `target is '${echo(s.target)}', which ${echo(shownConfig)} does not define; expected one of: ${loaded.config.targets.map((t) => t.name).join(', ')}; fix the name`, s.targetLocation);
  }
  const versions: ScenarioVersions = { kubernetes: props.kubernetes ?? '', cilium: props.cilium, calico: props.calico, istio: props.istio };
  if (s.manifests) return { versions, objects: readManifestPaths(s.manifests, s.dir, targetOf(s.target, versions)) };
  const objects: KubeObject[] = [];
  let synthesized = cache.get(s.config!);
  if (!synthesized) {
    synthesized = buildApp(loaded).then(synthesize);
    cache.set(s.config!, synthesized);
  }
  const result = await synthesized;
  const problems = [...result.constructErrors, ...result.findings.map(formatFinding)];
  if (problems.length) {
    throw new NetsecError('CONFIG', `${echo(shownConfig)} does not synthesize (${problems.length} problem${problems.length === 1 ? '' : 's'}: ${echo(problems[0]!)}); expected a config 'netsec synth' accepts; run 'netsec synth -c ${echo(shownConfig)}' and fix what it reports`, s.targetLocation);
  }
  for (const f of result.files) {
    if (f.path.startsWith(`${s.target}/`) && /\.ya?ml$/.test(f.path)) objects.push(...parseManifests(f.content, `${shownConfig} (synthesized ${f.path})`));
  }
  return { versions, objects };
}

/** The target the manifests of a scenario are checked for. */
function targetOf(name: string, versions: ScenarioVersions): Target {
  return new Target({ name, kubernetes: versions.kubernetes || undefined, cilium: versions.cilium, calico: versions.calico, istio: versions.istio });
}

/** Where a result differs from what `expect` says (only the fields `expect` has are compared). */
export function mismatches(expect: FlowExpectation, got: FlowResult): string[] {
  const out: string[] = [];
  if (expect.verdict !== undefined && expect.verdict !== got.verdict) out.push(`verdict: expected ${expect.verdict}, got ${got.verdict}`);
  if (expect.dropReason !== undefined && expect.dropReason !== got.dropReason) out.push(`dropReason: expected ${expect.dropReason}, got ${got.dropReason ?? 'none'}`);
  if (expect.httpStatus !== undefined && expect.httpStatus !== got.httpStatus) out.push(`httpStatus: expected ${expect.httpStatus}, got ${got.httpStatus ?? 'none'}`);
  if (expect.by !== undefined && expect.by !== got.by) out.push(`by: expected ${expect.by}, got ${got.by}`);
  return out;
}
