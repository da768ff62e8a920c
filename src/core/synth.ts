import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { describeUnjudged, lint } from '../lint/lint.js';
import { Manifest, ManifestIndex } from '../lint/manifest-index.js';
import { Severity } from '../lint/rule.js';
import { suppressionsOf } from '../lint/suppressions.js';
import { Diagnostic, DiagnosticLevel, collectDiagnostics } from './diagnostics.js';
import { NetsecError, SourceLocation } from './errors.js';
import { HelmValues } from './helm-values.js';
import { compareManifests } from './manifest-order.js';
import { NetsecChart } from './netsec-chart.js';
import { netsecVersion } from './package-root.js';
import { Target } from './target.js';
import { ManifestValidator } from './validation/manifest-validator.js';
import { emitYaml } from './yaml-emitter.js';
import { ValidationFinding, formatFinding } from './validation/finding.js';
import { describeSource, sourceOf } from './source.js';

/** One file of the output tree, relative to the output folder (always '/'-separated). */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** Everything one synthesis produced; nothing is written yet. */
export interface SynthResult {
  readonly files: OutputFile[];
  /** Objects that break a schema of their target's version line. Non-empty means: do not write. */
  readonly findings: ValidationFinding[];
  /** Failed construct validations (`node.addValidation`), as `[construct/path] message`. Non-empty means: do not write. */
  readonly constructErrors: string[];
  readonly diagnostics: Diagnostic[];
  /** Targets in name order. */
  readonly targets: Target[];
}

/**
 * Synthesizes every NetsecChart under `root` (usually a cdk8s App): runs construct validations, renders each chart,
 * validates each object against its target's schemas, and lays out `<target>/<component>.yaml`, the merged Helm
 * values files and a kustomization.yaml per target. Pure: it writes nothing (see `writeOutput`).
 */
export function synthesize(root: IConstruct): SynthResult {
  const marked = root as unknown as Record<symbol, boolean | undefined>;
  // The chart-level validation (see `netsecTreeProblems`) runs synthesize() itself; inside a synthesis it must not.
  const outer = marked[SYNTHESIZING] !== true;
  marked[SYNTHESIZING] = true;
  try {
    return synthesizeMarked(root);
  } finally {
    if (outer) delete marked[SYNTHESIZING];
  }
}

/**
 * Set on the construct `synthesize()` works on, while it runs: construct validations run inside a synthesis, and a
 * NetsecChart's own validation (which synthesizes) must then do nothing. A property of that construct, not a module
 * variable, so two apps never see each other's state. `Symbol.for`: it works across copies of the library.
 */
const SYNTHESIZING = Symbol.for('netsec.synthesizing');

/**
 * Every reason not to write a synthesis, one line each, as `netsec synth` prints them (after `error: `): failed
 * construct validations, then schema findings and lint errors (`... [rule-id]`).
 */
export function synthProblems(result: SynthResult): string[] {
  return [...result.constructErrors, ...result.findings.map(formatFinding)];
}

/**
 * What a NetsecChart's `node.addValidation` reports, so that cdk8s' own `app.synth()`, `synthYaml()`,
 * `chart.toJson()` and `Testing.synth(chart)` fail on what `netsec synth` refuses: schema findings and lint errors
 * (with their rule ids), and errors of the tree as a whole (two targets with one name). The whole tree is judged at
 * once (lint looks across charts), by the first NetsecChart of the tree only, so each problem is reported once.
 * Failed construct validations are left out: cdk8s reports those itself. Nothing while `synthesize()` runs.
 */
export function netsecTreeProblems(chart: NetsecChart): string[] {
  const root = chart.node.root;
  for (let c: IConstruct | undefined = chart; c; c = c.node.scope) {
    if ((c as unknown as Record<symbol, boolean | undefined>)[SYNTHESIZING]) return [];
  }
  if (root.node.findAll().find(NetsecChart.isNetsecChart) !== chart) return [];
  try {
    const result = synthesize(root);
    return result.constructErrors.length ? [] : result.findings.map(formatFinding);
  } catch (err) {
    if (err instanceof NetsecError) return [err.message];
    throw err;
  }
}

function synthesizeMarked(root: IConstruct): SynthResult {
  const charts = root.node.findAll().filter(NetsecChart.isNetsecChart);
  if (charts.length === 0) throw new NetsecError('USAGE', `nothing to synthesize: '${root.node.path || 'app'}' contains no NetsecChart.`);
  const constructErrors = root.node
    .findAll()
    .flatMap((c) => c.node.validate().map((m) => `${describeSource(c)} ${m}`));
  const diagnostics = collectDiagnostics(root);
  if (constructErrors.length) {
    // cdk8s refuses to render a chart whose validations fail, and the output would be wrong anyway.
    return { files: [], findings: [], constructErrors, diagnostics, targets: [] };
  }

  const byTarget = new Map<string, NetsecChart[]>();
  for (const chart of charts) {
    const list = byTarget.get(chart.target.name) ?? [];
    if (list.length && list[0].target !== chart.target) {
      throw new NetsecError('USAGE', `two different targets are named '${chart.target.name}' (charts '${list[0].node.path}' and '${chart.node.path}'); share one Target object or rename one.`);
    }
    list.push(chart);
    byTarget.set(chart.target.name, list);
  }

  const files: OutputFile[] = [];
  const findings: ValidationFinding[] = [];
  const lintDiagnostics: Diagnostic[] = [];
  const targets = [...byTarget.keys()].sort().map((name) => byTarget.get(name)![0].target);
  for (const target of targets) {
    const targetCharts = byTarget.get(target.name)!;
    const validator = new ManifestValidator(target);
    const components = new Map<string, NetsecChart>();
    for (const chart of targetCharts) {
      const clash = components.get(chart.component);
      if (clash) throw new NetsecError('USAGE', `charts '${clash.node.path}' and '${chart.node.path}' both write ${target.name}/${chart.component}.yaml; give one a different component name.`);
      components.set(chart.component, chart);
    }
    // Render every component first: the lint rules judge the target as a whole (duplicates across files, a policy and
    // the CIDR groups it references), and their warnings belong in the headers written below.
    const outsideSchema = new Set<object>();
    const rendered = [...components.keys()].sort().map((component) => {
      const chart = components.get(component)!;
      const objects = renderChart(chart).sort((a, b) => compareManifests(a.object, b.object));
      for (const { object, construct } of objects) {
        for (const f of validator.validate(object, { applyToCluster: chart.applyToCluster })) {
          findings.push({ ...f, constructPath: construct.node.path, ...located(construct) });
          outsideSchema.add(object);
        }
      }
      return { component, chart, objects };
    });
    const constructOf = new Map<Manifest, IConstruct>();
    const manifests = rendered.flatMap(({ chart, objects }) =>
      objects.map(({ object, construct }) => {
        const m: Manifest = { object, constructPath: construct.node.path, applied: chart.applyToCluster, ...located(construct), ...(outsideSchema.has(object) ? { outsideSchema: true } : {}) };
        constructOf.set(m, construct);
        return m;
      }),
    );
    const linted = lint(new ManifestIndex(target, manifests, { helmValues: mergedHelmValues(targetCharts) }), { suppressionsOf: (m) => suppressionsOf(constructOf.get(m)!) });
    for (const f of linted.findings) {
      const where = { resource: { apiVersion: '', kind: f.object.kind, name: f.object.name, ...(f.object.namespace ? { namespace: f.object.namespace } : {}) }, constructPath: f.constructPath, ...(f.location ? { location: f.location } : {}) };
      if (f.severity === Severity.ERROR) findings.push({ ...where, path: f.path, message: f.detail, ruleId: f.ruleId });
      else {
        // Info findings are notes: in the output header with the rule id, not printed as warnings.
        const level = f.severity === Severity.WARNING ? DiagnosticLevel.WARNING : DiagnosticLevel.NOTE;
        lintDiagnostics.push({ level, path: f.constructPath ?? '', message: `${f.ruleId}: ${f.message}`, ...(f.location ? { location: f.location } : {}) });
      }
    }
    for (const u of linted.unjudged) {
      const first = u.objects[0]!;
      lintDiagnostics.push({ level: DiagnosticLevel.NOTE, path: first.constructPath ?? '', message: describeUnjudged(u), ...(first.location ? { location: first.location } : {}) });
    }
    for (const f of linted.suppressed) {
      lintDiagnostics.push({ level: DiagnosticLevel.NOTE, path: f.constructPath ?? '', message: `${f.ruleId} suppressed (${f.reason}): ${f.message}`, ...(f.location ? { location: f.location } : {}) });
    }
    diagnostics.push(...lintDiagnostics.splice(0));

    const applied: string[] = [];
    for (const { component, chart, objects } of rendered) {
      const notes = diagnostics.filter((d) => d.path === chart.node.path || d.path.startsWith(`${chart.node.path}/`));
      const file = chart.applyToCluster ? `${component}.yaml` : `not-applied/${component}.yaml`;
      if (chart.applyToCluster) applied.push(file);
      const header = fileHeader(target, [
        `Component: ${component} (${objects.length} object${objects.length === 1 ? '' : 's'})`,
        ...(chart.applyToCluster ? [] : ['NOT APPLIED to the cluster: an input for another tool (see the notes below); kustomization.yaml leaves it out.']),
        ...notes.map((n) => `${n.level === DiagnosticLevel.WARNING ? 'WARNING' : 'Note'}: ${n.message}`),
      ]);
      files.push({ path: `${target.name}/${file}`, content: header + objects.map((o) => emitYaml(o.object)).join('---\n') });
    }
    files.push(...helmValuesFiles(target, targetCharts));
    files.push({
      path: `${target.name}/kustomization.yaml`,
      content:
        fileHeader(target, ['The files GitOps tools (Argo CD, Flux) apply for this target. Helm values files and not-applied/ are inputs, not manifests.']) +
        emitYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: applied }),
    });
  }
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), findings, constructErrors, diagnostics, targets };
}

/**
 * The objects of one chart with the construct that rendered each, as cdk8s' own chart synthesis selects them (every
 * ApiObject whose closest chart is this one). Knowing the construct lets findings point at netsec.yaml.
 */
function renderChart(chart: NetsecChart): { object: Record<string, unknown>; construct: ApiObject }[] {
  return chart.node
    .findAll()
    .filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart)
    .map((construct) => ({ object: construct.toJson() as Record<string, unknown>, construct }));
}

function located(construct: IConstruct): { location?: SourceLocation } {
  const location = sourceOf(construct);
  return location ? { location } : {};
}

/** The comment every file opens with: generator and target versions, never a timestamp (same input, same bytes). */
function fileHeader(target: Target, lines: string[]): string {
  const all = [
    `Generated by netsec ${netsecVersion()}. Do not edit: change the source and run 'netsec synth'.`,
    `Target: ${target.name} (${target.describe()})`,
    ...lines,
  ];
  return all.flatMap((l) => l.split('\n')).map((l) => `# ${l}`.trimEnd()).join('\n') + '\n';
}

/** One `<release>-values.yaml` per Helm release, merging every HelmValues fragment of the target. */
function helmValuesFiles(target: Target, charts: NetsecChart[]): OutputFile[] {
  const fragments = charts.flatMap((c) => c.node.findAll().filter(HelmValues.isHelmValues));
  const releases = [...new Set(fragments.map((f) => f.release))].sort();
  return releases.map((release) => {
    const mine = fragments.filter((f) => f.release === release).sort((a, b) => (a.node.path < b.node.path ? -1 : 1));
    const merged: Record<string, unknown> = {};
    const owners = new Map<string, string>();
    for (const f of mine) mergeValues(merged, f.values, '', f.node.path, owners);
    const reasons = [...new Set(mine.map((f) => f.reason))];
    return {
      path: `${target.name}/${release}-values.yaml`,
      content:
        fileHeader(target, [
          `Helm values the ${release} release must set for this output to work. Merge them into your own values (helm upgrade -f).`,
          ...reasons.map((r) => `- ${r}`),
        ]) + emitYaml(sortKeysDeep(merged)),
    };
  });
}

/** The Helm values of a target's charts merged by release, as the values files hold them (lint rules read them). */
function mergedHelmValues(charts: NetsecChart[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const owners = new Map<string, Map<string, string>>();
  const fragments = charts.flatMap((c) => c.node.findAll().filter(HelmValues.isHelmValues)).sort((a, b) => (a.node.path < b.node.path ? -1 : 1));
  for (const f of fragments) {
    if (!out.has(f.release)) { out.set(f.release, {}); owners.set(f.release, new Map()); }
    mergeValues(out.get(f.release)!, f.values, '', f.node.path, owners.get(f.release)!);
  }
  return out;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function mergeValues(into: Record<string, unknown>, from: Record<string, unknown>, prefix: string, owner: string, owners: Map<string, string>): void {
  for (const [key, value] of Object.entries(from)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const existing = into[key];
    if (isPlainObject(value) && (existing === undefined || isPlainObject(existing))) {
      into[key] = existing ?? {};
      mergeValues(into[key] as Record<string, unknown>, value, path, owner, owners);
    } else if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(value)) {
      throw new NetsecError('INVALID', `Helm value '${path}' is set to ${JSON.stringify(existing)} by '${owners.get(path)}' and to ${JSON.stringify(value)} by '${owner}'; they must agree.`);
    } else {
      into[key] = value;
      owners.set(path, owner);
    }
  }
}

function sortKeysDeep(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeysDeep);
  if (!isPlainObject(x)) return x;
  return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeysDeep(x[k])]));
}
