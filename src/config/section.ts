import { App } from 'cdk8s';
import type { ProgressCallback } from '../cidr/feeds/read.js';
import { NetsecChart } from '../core/netsec-chart.js';
import { Target } from '../core/target.js';

/** What a section's `build` gets for one target. */
export interface SectionBuildContext {
  /** The cdk8s App everything is built in. */
  readonly app: App;
  /** The target being built. */
  readonly target: Target;
  /** The chart that writes `dist/<target>/<component>.yaml`, created on first use and shared between sections. */
  chart(component: string, options?: { readonly applyToCluster?: boolean }): NetsecChart;
  /** Resolves a path written in netsec.yaml (relative to the file's folder). */
  resolvePath(path: string): string;
  /** The config file's name, for messages. */
  readonly configFile: string;
  /** JSON pointer of the section's value in the config file, for messages (e.g. `/egressBlocking/0`). */
  readonly pointer: string;
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

/**
 * One top-level section of netsec.yaml. A section owns a JSON Schema for its value (the loader validates the whole
 * file before anything is built, so `build` receives well-typed input) and builds the same constructs a TypeScript
 * user would write.
 */
export interface ConfigSection<T = unknown> {
  /** The top-level key in netsec.yaml. */
  readonly key: string;
  /** A one-line description, used in the config schema. */
  readonly description: string;
  /** JSON Schema (draft-07) of the section's value. Objects should set `additionalProperties: false`. */
  readonly schema: Record<string, unknown>;
  /**
   * Builds the constructs of `value` for `ctx.target`. Called once per target; a section decides itself whether it
   * applies (e.g. only to targets that run Cilium), usually from a `targets:` list in its value. May be async
   * (reading a CIDR feed or a MaxMind CSV); sections are built one after another, in registration order.
   */
  build(ctx: SectionBuildContext, value: T): void | Promise<void>;
}

/**
 * Whether an entry applies to a target: entries name their targets explicitly, or apply to every target that runs
 * what they need (`fallback`).
 */
export function appliesTo(target: Target, targets: readonly string[] | undefined, fallback: boolean): boolean {
  return targets ? targets.includes(target.name) : fallback;
}

/** The schema every section uses for its optional `targets:` list. */
export const TARGETS_PROPERTY = {
  type: 'array',
  items: { type: 'string' },
  uniqueItems: true,
  description: 'Names of the targets this entry is for. Default: every target that runs the product it needs.',
} as const;
