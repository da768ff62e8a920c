import { App } from 'cdk8s';
import type { ProgressCallback } from '../cidr/feeds/read.js';
import { CidrDiagnostic, parseCidrList } from '../cidr/parse.js';
import { PrefixList } from '../cidr/prefix-list.js';
import { Problem, SourceLocation, echo, problemsError } from '../core/errors.js';
import { NetsecChart } from '../core/netsec-chart.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';

/**
 * What a section's `build` gets: one entry of the section's list, for one target. Every construct the build adds to a
 * chart records the entry's netsec.yaml line and column (`core/source.ts`), and a NetsecError thrown without a location
 * gets the entry's, so messages about the output point back at the line the user wrote.
 */
export interface SectionBuildContext {
  /** The cdk8s App everything is built in. */
  readonly app: App;
  /** The target being built. */
  readonly target: Target;
  /** The chart that writes `dist/<target>/<component>.yaml`, created on first use and shared between sections. */
  chart(component: string, options?: { readonly applyToCluster?: boolean }): NetsecChart;
  /** Resolves a path written in netsec.yaml (relative to the file's folder) for reading. */
  resolvePath(path: string): string;
  /**
   * A path written in netsec.yaml as messages and output files name it: relative to netsec.yaml's folder, with '/'
   * separators, never absolute (the same repository gives the same bytes in CI and on a laptop).
   */
  displayPath(path: string): string;
  /** How messages name netsec.yaml (its file name). */
  readonly configName: string;
  /** JSON pointer of the entry, e.g. `/egressBlocking/3`. */
  readonly pointer: string;
  /** How messages name the entry, as a reader of the file finds it: `egressBlocking[3]`. */
  readonly label: string;
  /** Index of the entry in its section's list. */
  readonly index: number;
  /** Where the entry is written in netsec.yaml. */
  readonly location: SourceLocation;
  /** Where a value of the entry is written, by its pointer relative to the entry (e.g. `/feeds/0/file`). */
  where(pointer: string, atKey?: boolean): SourceLocation;
  /** Where character `offset` of the string at `pointer` (relative to the entry) is written. */
  whereIn(pointer: string, offset: number): SourceLocation;
  /**
   * Computes what does not depend on the target once per build and shares it between targets, keyed by an object of
   * the config (e.g. a geo-blocking entry's million-line feed is read and aggregated once, not once per cluster).
   */
  once<T>(key: object, compute: () => T): T;
  /**
   * Progress for reading a large input (a CIDR feed, a MaxMind CSV): the CLI draws a bar on a terminal; library
   * builds have none. `done()` after the read.
   */
  readonly readProgress?: (label: string) => { readonly onProgress: ProgressCallback; done(): void };
}

/** An object an entry writes on each of its targets, named as messages name it. */
export interface EntryObject {
  /** Kind and name, e.g. `CiliumNetworkPolicy 'shop/web'`; two entries writing the same on one target clash. */
  readonly label: string;
  /** JSON pointer, relative to the entry, of the value that names it (`''` for the entry itself). */
  readonly pointer: string;
  /** JSON pointer, relative to the entry, of the item that writes it, when not the entry itself. @default '' */
  readonly writer?: string;
  /** What a clash message expects and how to fix it. @default - one object per name and target; rename one */
  readonly remedy?: string;
}

/**
 * One top-level section of netsec.yaml: a list of entries. A section owns a JSON Schema for its value (the loader
 * validates the whole file before anything is built, so `build` receives well-typed input) and builds each entry into
 * the same constructs a TypeScript user would write. Which targets an entry is built for is decided once, by
 * `config/build.ts`, from the entry's `targets:` and the section's `needs`.
 */
export interface ConfigSection<E = unknown> {
  /** The top-level key in netsec.yaml. */
  readonly key: string;
  /** A one-line description, used in the config schema. */
  readonly description: string;
  /** JSON Schema (draft-07) of the section's value, a list of entries. Objects should set `additionalProperties: false`. */
  readonly schema: Record<string, unknown>;
  /**
   * What an entry needs: it is built for the targets that run any of these products (all of them by default, or
   * those its `targets:` names, each of which must run one).
   */
  readonly needs: readonly Product[];
  /** The objects an entry writes whose names must be unique per target (construct ids are derived from them). */
  objects(entry: E): readonly EntryObject[];
  /**
   * Builds one entry for `ctx.target`. May be async (reading a CIDR feed or a MaxMind CSV); entries and sections are
   * built one after another, in order.
   */
  build(ctx: SectionBuildContext, entry: E): void | Promise<void>;
}

/** The schema every section uses for its optional `targets:` list. */
export const TARGETS_PROPERTY = {
  type: 'array',
  items: { type: 'string' },
  uniqueItems: true,
  description: 'Names of the targets this entry is for. Default: every target that runs the product it needs.',
} as const;

/**
 * The schema of `suppress:` on an entry or a target: lint findings accepted on purpose, each with the rule id and a
 * reason (written into the output header for reviewers). A suppression without a reason is refused.
 */
export const SUPPRESS_PROPERTY = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['rule', 'reason'],
    properties: {
      rule: { type: 'string', pattern: '^[a-z0-9]+/[a-z0-9-]+$', description: "A lint rule id from docs/rules.md, e.g. 'cilium/cidr-identity-cost'." },
      reason: { type: 'string', pattern: '\\S', description: 'Why the finding is accepted; shown in the output header.' },
    },
  },
  description: 'Lint findings accepted on purpose for what this entry (or target) writes: rule id and reason each.',
} as const;

/**
 * The schema of `metadata:` on an entry (or an item of one): labels and annotations of every object it writes, as the
 * constructs' `metadata` prop (`ResourceMetadataProps`). The constructs check the keys and values; the schema only the
 * shape, so that an unquoted number (`argocd.argoproj.io/sync-wave: -1`) is reported at its line.
 */
export const METADATA_PROPERTY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels (key: value); a label netsec sets itself keeps its value.' },
    annotations: { type: 'object', additionalProperties: { type: 'string' }, description: "Annotations (key: value), e.g. argocd.argoproj.io/sync-wave: '-1' (quoted: values are strings)." },
  },
  description: 'Labels and annotations of every object this writes (metadata.labels, metadata.annotations). Keys under netsec.io/ are netsec\'s own and refused.',
} as const;

/**
 * A construct id made of parts that may hold any character: each part is escaped so that different parts never give
 * one id (`a-b` + `c` and `a` + `b-c` stay apart, and '/' cannot split a path). Readable for ordinary names:
 * `constructId('Cnp', 'shop', 'web')` is `Cnp-shop:web`.
 */
export function constructId(kind: string, ...parts: readonly string[]): string {
  return `${kind}-${parts.map((p) => p.replace(/[%:/\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).join(':')}`;
}

/** Options for `checkCidrs`. */
export interface CheckCidrsOptions {
  /** Append the prefixes here. @default - only checked */
  readonly into?: PrefixList;
  /** Normalise host bits with a warning instead of failing. @default false */
  readonly lenient?: boolean;
  /** What a strict host-bits error says to do. @default '' */
  readonly hostBitsHint?: string;
}

/**
 * Checks prefixes written in netsec.yaml (each at a JSON pointer relative to the entry), reporting every bad one at its
 * own line and column; `list` names them in the summary (`egressBlocking[0].cidrs`). An empty item or a
 * comment is refused: in a feed it is skipped, in a YAML list it is a mistake that would drop a prefix silently.
 * Returns the lenient normalisations as warnings.
 */
export function checkCidrs(ctx: SectionBuildContext, items: readonly { pointer: string; text: string }[], list: string, options: CheckCidrsOptions = {}): CidrDiagnostic[] {
  const empty: Problem[] = items
    .filter((item) => /^\s*(#|$)/.test(item.text))
    .map((item) => ({ location: ctx.where(item.pointer), message: `'${echo(item.text)}' is not a prefix; expected a CIDR prefix or address such as '192.0.2.0/24'; write one, or remove the item` }));
  if (empty.length) throw problemsError('CONFIG', empty, list);
  const { warnings } = parseCidrList(items.map((i) => i.text), {
    source: ctx.configName,
    lenient: options.lenient,
    hostBitsHint: options.hostBitsHint ?? '',
    into: options.into,
    within: `items in ${list}`,
    locateItem: (index, column) => {
      const at = ctx.whereIn(items[index]!.pointer, column - 1);
      return { file: at.file, line: at.line ?? 1, column: at.column ?? 1 };
    },
  });
  return [...warnings];
}

/** `checkCidrs` for the list at `key` of the entry (`cidrs`, `except`). */
export function checkCidrList(ctx: SectionBuildContext, key: string, texts: readonly string[], options: CheckCidrsOptions = {}): CidrDiagnostic[] {
  return checkCidrs(ctx, texts.map((text, k) => ({ pointer: `/${key}/${k}`, text })), `${ctx.label}.${key}`, options);
}
