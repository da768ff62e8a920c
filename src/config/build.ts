import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { IConstruct } from 'constructs';
import { closestMatch } from 'leven';
import { NetsecError, Problem, SourceLocation, echo, escapeControls, formatLocation, locateError, problemsError } from '../core/errors.js';
import { NetsecApp } from '../core/netsec-app.js';
import { NetsecChart } from '../core/netsec-chart.js';
import { recordSource } from '../core/source.js';
import { RULES } from '../lint/rules/index.js';
import { Suppression, suppressionRefusal, suppressRules } from '../lint/suppressions.js';
import { Target, TargetProps } from '../core/target.js';
import { parseCidrList } from '../cidr/parse.js';
import { PRODUCT_NAMES, Product } from '../core/versions.js';
import { LoadedConfig } from './load.js';
import { pointerToPath } from '../core/validation/finding.js';
import { ConfigSection, SectionBuildContext } from './section.js';
import { SECTIONS } from './sections/index.js';

/** How `buildApp` reports on long work. */
export interface BuildOptions {
  /** Progress for large reads (see `SectionBuildContext.readProgress`). @default - none */
  readonly readProgress?: SectionBuildContext['readProgress'];
}

/** An entry's common keys, as far as building needs them. */
interface Entry {
  readonly targets?: readonly string[];
  readonly suppress?: readonly SuppressionValue[];
}

/** One item of `suppress:` as netsec.yaml writes it. */
interface SuppressionValue {
  readonly rule: string;
  readonly reason: string;
}

/** A section present in the file, with its entries and the targets each entry is built for. */
interface Placed {
  readonly section: ConfigSection<any>;
  readonly entries: readonly Entry[];
  /** `on[i]`: the targets entry i is built for. */
  readonly on: Target[][];
}

/**
 * Builds the cdk8s App a netsec.yaml describes: one Target per `targets:` entry, and for each target the constructs
 * of every section entry placed on it, in the order the sections are registered. The result is the same App a
 * TypeScript user would write, and a TypeScript user can add constructs to it before `app.synth()`.
 *
 * Before anything is built, every entry is placed: the targets its `targets:` names must exist and run what it needs,
 * an entry must land on at least one target (nothing is dropped silently), and the objects entries write must have
 * unique names per target. Each problem is reported at its netsec.yaml line and column.
 */
export async function buildApp(loaded: LoadedConfig, options: BuildOptions = {}): Promise<NetsecApp> {
  const { config } = loaded;
  // A NetsecApp: its synth() writes what netsec synth writes (outdir: CDK8S_OUTDIR, else dist).
  const app = new NetsecApp();
  const baseDir = dirname(resolve(loaded.file));
  const targets = config.targets.map((props, i) => {
    checkClusterCidrs(loaded, i, props);
    return located(() => new Target(props), loaded.where(`/targets/${i}`));
  });
  const placed: Placed[] = [];
  const problems: Problem[] = [];
  for (const section of SECTIONS) {
    const value = config[section.key];
    if (value === undefined) continue;
    const entries = value as Entry[];
    const placements = entries.map((e, i) => placeEntry(loaded, section, e, i, targets));
    problems.push(...placements.flatMap((p) => ('problems' in p ? p.problems : [])));
    placed.push({ section, entries, on: placements.map((p) => ('targets' in p ? p.targets : [])) });
  }
  // Clashes among the entries that could be placed are reported with the placement problems: one run shows all.
  throwAll([...problems, ...nameClashes(loaded, placed, targets), ...unknownRules(loaded, placed)], loaded.name);
  if (placed.every((p) => p.entries.length === 0)) {
    throw new NetsecError(
      'CONFIG',
      `nothing to build: ${loaded.name} has targets but no entries; expected at least one entry under ${SECTIONS.map((s) => s.key).join(', ')}; add one`,
      loaded.where(''),
    );
  }

  const shared = new Map<object, unknown>();
  const once = <T>(key: object, compute: () => T): T => {
    if (!shared.has(key)) shared.set(key, compute());
    return shared.get(key) as T;
  };
  const displayPath = (p: string): string => {
    const rel = relative(baseDir, resolve(baseDir, p));
    // Outside netsec.yaml's folder on another drive there is no relative path; the path as written is still stable.
    return escapeControls((isAbsolute(rel) ? p : rel).split('\\').join('/'));
  };
  /** The constructs' refusals of entries, each once (an entry on two targets is refused alike on both). */
  const refusals = new Map<string, Problem>();
  for (const [t, target] of targets.entries()) {
    const charts = new Map<string, NetsecChart>();
    const targetSuppressions = suppressionsAt(config.targets[t] as { suppress?: readonly SuppressionValue[] });
    const chart = (component: string, chartOptions: { applyToCluster?: boolean } = {}): NetsecChart => {
      let c = charts.get(component);
      if (!c) {
        c = new NetsecChart(app, `${target.name}-${component}`, { target, component, applyToCluster: chartOptions.applyToCluster });
        if (targetSuppressions.length) suppressRules(c, targetSuppressions);
        charts.set(component, c);
      }
      return c;
    };
    for (const { section, entries, on } of placed) {
      for (const [index, entry] of entries.entries()) {
        if (!on[index]!.includes(target)) continue;
        const pointer = `/${section.key}/${index}`;
        const location = loaded.where(pointer);
        const ctx: SectionBuildContext = {
          app,
          target,
          chart,
          resolvePath: (p) => resolve(baseDir, p),
          displayPath,
          configName: loaded.name,
          pointer,
          label: pointerToPath(pointer),
          index,
          location,
          where: (p, atKey) => loaded.where(`${pointer}${p}`, atKey),
          whereIn: (p, offset) => loaded.whereIn(`${pointer}${p}`, offset),
          once,
          readProgress: options.readProgress,
        };
        const before = new Set([...charts.values()].flatMap((c) => c.node.children));
        try {
          await section.build(ctx, entry);
        } catch (err) {
          if (!(err instanceof NetsecError)) throw err;
          const located = locateError(err, refusalLocation(err, entry, pointer, loaded) ?? location);
          // A construct's refusal of one entry does not stop the others from being built and judged: one run shows
          // every entry to fix. Other errors (a feed that cannot be read, the environment) stop the run as before.
          if (err.code !== 'INVALID') throw located;
          for (const p of located.problems) refusals.set(`${p.location ? formatLocation(p.location) : ''} ${p.message}`, p);
          continue;
        }
        // Every construct this entry added records where it was written; findings about it and its objects point there.
        const suppressions = suppressionsAt(entry);
        for (const c of charts.values()) {
          for (const child of c.node.children) {
            if (before.has(child)) continue;
            recordSource(child as IConstruct, location);
            if (suppressions.length) suppressRules(child as IConstruct, suppressions);
          }
        }
      }
    }
  }
  if (refusals.size) {
    const at = (p: Problem) => [p.location?.line ?? 0, p.location?.column ?? 0];
    throw problemsError('INVALID', [...refusals.values()].sort((a, b) => at(a)[0]! - at(b)[0]! || at(a)[1]! - at(b)[1]!), loaded.name);
  }
  return app;
}

/**
 * A target's own ranges, checked where they are written: constructs parse them only when an entry needs them (an
 * egress block's overlap check), and would report them at that entry.
 */
function checkClusterCidrs(loaded: LoadedConfig, i: number, props: TargetProps): void {
  for (const key of ['podCidrs', 'serviceCidrs', 'apiServerCidrs'] as const) {
    const list = props.cluster?.[key];
    if (!list?.length) continue;
    parseCidrList(list, {
      source: loaded.name,
      within: `items in targets[${i}].cluster.${key}`,
      locateItem: (index, column) => {
        const at = loaded.whereIn(`/targets/${i}/cluster/${key}/${index}`, column - 1);
        return { file: at.file, line: at.line ?? 1, column: at.column ?? 1 };
      },
    });
  }
}

/**
 * An entry's (or target's) `suppress:` items as suppressions. The reason is written into output headers as given,
 * without its netsec.yaml line: an edit above it must not change the output (and show up in `netsec plan`).
 */
function suppressionsAt(value: { readonly suppress?: readonly SuppressionValue[] }): Suppression[] {
  return (value.suppress ?? []).map((s) => ({ id: s.rule, reason: s.reason.trim() }));
}

/** `suppress:` items naming rules that do not exist: a typo would otherwise leave the finding it meant in place, unexplained. */
function unknownRules(loaded: LoadedConfig, placed: readonly Placed[]): Problem[] {
  const ids = RULES.map((r) => r.id);
  const check = (pointer: string, items: readonly SuppressionValue[] | undefined): Problem[] =>
    (items ?? []).flatMap((s, i) => {
      const refusal = suppressionRefusal(s.rule, RULES, `${pointerToPath(`${pointer}/suppress/${i}/rule`)} is '${s.rule}', which`);
      if (refusal !== undefined) return [{ location: loaded.where(`${pointer}/suppress/${i}/rule`), message: refusal }];
      if (ids.includes(s.rule)) return [];
      const near = closestMatch(s.rule, ids);
      return [{
        location: loaded.where(`${pointer}/suppress/${i}/rule`),
        message: `${pointerToPath(`${pointer}/suppress/${i}/rule`)} is '${echo(s.rule)}', which is not a netsec lint rule; expected a rule id from docs/rules.md${near ? `; did you mean '${near}'?` : ''}`,
      }];
    });
  return [
    ...loaded.config.targets.flatMap((t, i) => check(`/targets/${i}`, (t as { suppress?: readonly SuppressionValue[] }).suppress)),
    ...placed.flatMap(({ section, entries }) => entries.flatMap((e, i) => check(`/${section.key}/${i}`, e.suppress))),
  ];
}

/**
 * Where in an entry a construct's refusal points: the one key of the entry that the message quotes ('priorityClassName',
 * 'resources.requests.cpu', 'destination_port'), matched as netsec.yaml spells it (camelCase, so `destinationPort`),
 * or undefined (the entry then). A key quoted that the entry has at several places is ambiguous, and not used; so is
 * a quoted word that is also one of the entry's values (a flow log named 'file').
 */
function refusalLocation(err: NetsecError, entry: unknown, pointer: string, loaded: LoadedConfig): SourceLocation | undefined {
  const fold = (k: string) => k.replace(/[_-]/g, '').toLowerCase();
  const paths: string[][] = [];
  const values = new Set<string>();
  const walk = (value: unknown, path: string[]): void => {
    if (typeof value === 'string') values.add(value);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, String(i)]));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        paths.push([...path, k]);
        walk(v, [...path, k]);
      }
    }
  };
  walk(entry, []);
  for (const quoted of err.reason.matchAll(/'([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)'/g)) {
    // A quoted value the entry holds (a flow log named 'file') is not a key.
    if (values.has(quoted[1]!)) continue;
    const wanted = quoted[1]!.split('.').map(fold);
    const found = paths.filter((p) => {
      const keys = p.filter((k) => !/^\d+$/.test(k)).slice(-wanted.length).map(fold);
      return keys.length === wanted.length && keys.every((k, i) => k === wanted[i]) && fold(p[p.length - 1]!) === wanted[wanted.length - 1];
    });
    if (found.length === 1) return loaded.where(`${pointer}/${found[0]!.map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`, true);
  }
  return undefined;
}

/** Runs `fn`; a NetsecError without a location gets `location`. */
function located<T>(fn: () => T, location: SourceLocation): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof NetsecError) throw locateError(err, location);
    throw err;
  }
}

/** `Cilium or Calico` */
function productList(products: readonly Product[], joiner: 'or' | 'nor'): string {
  const names = products.map((p) => PRODUCT_NAMES[p]);
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} ${joiner} ${names.at(-1)}`;
}

/** `a cilium: or calico: version`, `an istio: version` */
function versionKeys(products: readonly Product[]): string {
  const keys = products.map((p) => `${p}:`);
  return `${/^[aeiou]/.test(keys[0]!) ? 'an' : 'a'} ${keys.length === 1 ? keys[0] : `${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}`} version`;
}

/** The targets entry `i` is built for, or the problems that stop it from being placed. */
function placeEntry(loaded: LoadedConfig, section: ConfigSection<any>, entry: Entry, i: number, targets: readonly Target[]): { targets: Target[] } | { problems: Problem[] } {
  const runs = (t: Target): boolean => section.needs.some((p) => t.runs(p));
  const capable = targets.filter(runs);
  const needs = productList(section.needs, 'or');
  const pointer = `/${section.key}/${i}`;
  const label = pointerToPath(pointer);
  if (entry.targets === undefined) {
    if (capable.length) return { targets: capable };
    return { problems: [{
      location: loaded.where(pointer),
      message: `${label} is on no target: it needs ${needs} and no target runs ${section.needs.length === 1 ? 'it' : 'either'}; add ${versionKeys(section.needs)} to a target, or remove the entry`,
    }] };
  }
  if (entry.targets.length === 0) {
    return { problems: [{
      location: loaded.where(`${pointer}/targets`),
      message: `${label}.targets is empty, so the entry is on no target; expected target names (or no targets: key, for every target that runs ${needs}); name a target or remove the entry`,
    }] };
  }
  const known = targets.map((t) => t.name);
  const problems: Problem[] = [];
  const on: Target[] = [];
  entry.targets.forEach((name, j) => {
    const where = loaded.where(`${pointer}/targets/${j}`);
    const target = targets.find((t) => t.name === name);
    if (!target) {
      const close = closestMatch(name, known, { maxDistance: Math.max(2, Math.floor(name.length / 3)) });
      const fix = close !== undefined && close !== name ? `did you mean '${close}'?` : `fix the name, or add a target '${echo(name)}' under targets:`;
      problems.push({ location: where, message: `${label}.targets names '${echo(name)}', which is not a target; expected one of: ${known.join(', ')}; ${fix}` });
    } else if (!runs(target)) {
      const runsNot = section.needs.length === 1 ? `does not run ${needs}` : `runs neither ${productList(section.needs, 'nor')}`;
      const others = capable.length ? capable.map((t) => t.name).join(', ') : 'no target does';
      problems.push({
        location: where,
        message: `${label}.targets names '${name}', which ${runsNot}; expected a target that runs ${needs} (${others}); add ${versionKeys(section.needs)} to target '${name}', or remove it from targets`,
      });
    } else {
      on.push(target);
    }
  });
  return problems.length ? { problems } : { targets: on };
}

/**
 * Objects two entries (or two items of one entry) would both write on one target: one problem per clash, at the
 * second writer, naming the first. Construct ids derive from the same names, so a clash never reaches cdk8s.
 */
function nameClashes(loaded: LoadedConfig, placed: readonly Placed[], targets: readonly Target[]): Problem[] {
  const problems: Problem[] = [];
  const reported = new Set<string>();
  for (const target of targets) {
    const writers = new Map<string, { writer: string; at: string }>();
    for (const { section, entries, on } of placed) {
      entries.forEach((entry, i) => {
        if (!on[i]!.includes(target)) return;
        for (const o of section.objects(entry)) {
          const at = `/${section.key}/${i}${o.pointer}`;
          const writer = `/${section.key}/${i}${o.writer ?? ''}`;
          const first = writers.get(o.label);
          if (first === undefined) {
            writers.set(o.label, { writer, at });
          } else if (!reported.has(`${first.at} ${at}`)) {
            reported.add(`${first.at} ${at}`);
            problems.push({
              location: loaded.where(at),
              message: `${pointerToPath(writer)} writes ${o.label} on target '${target.name}', as ${pointerToPath(first.writer)} (${formatLocation(loaded.where(first.at))}) does; ${o.remedy ?? 'expected one object per name and target; rename one, or put them on different targets'}`,
            });
          }
        }
      });
    }
  }
  return problems;
}

/** Throws every problem at once, so one run shows everything to fix. */
function throwAll(problems: readonly Problem[], name: string): void {
  if (problems.length) throw problemsError('CONFIG', problems, name);
}
