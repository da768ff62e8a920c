import { ApiObject, ApiObjectMetadataDefinition, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { addNote } from '../core/diagnostics.js';
import { NetsecError } from '../core/errors.js';
import { Feature } from '../core/features.js';
import { HelmValues } from '../core/helm-values.js';
import { ResourceMetadataProps, applyResourceMetadata } from '../core/resource-metadata.js';
import { Target } from '../core/target.js';
import { FlowFilter, FlowFilterConfig } from './flow-filter.js';
import { FlowLogOutput } from './flow-log-output.js';
import { FLOW_LOG_CONFIG_KEYS } from './generated/cilium-flow-data.js';
import { Severity } from '../lint/rule.js';
import { FLOW_LOGS_KEY, HUBBLE_RULES, checkFlowLogsFile, isRfc3339Time } from '../lint/rules/hubble.js';
import { LineContext, lineContext } from './_line-data.js';
import { requireRecord } from '../core/arguments.js';

/** Per-flow-log file rotation (Cilium 1.18+). Only for file outputs: stdout is not rotated. */
export interface FlowLogRotation {
  /** Size in MB at which the file is rotated. @default 10 (the agent's default) */
  readonly maxSizeMb?: number;
  /** Rotated files kept. @default 5 (the agent's default) */
  readonly maxBackups?: number;
  /** Whether rotated files are gzip-compressed. @default false */
  readonly compress?: boolean;
}

/** Flow aggregation before export (Cilium 1.19+): flows that agree on `fields` are counted and exported once per interval. */
export interface FlowLogAggregation {
  /** flow.Flow field paths to aggregate on, e.g. `['source.namespace', 'destination.namespace', 'verdict']`. */
  readonly fields: string[];
  /** How often aggregated flows are exported; more than 0. */
  readonly interval: Duration;
}

/** Options of one named flow log (one entry of `flowLogs:` in flowlogs.yaml). */
export interface FlowLogOptions {
  /** Name of the flow log, unique in the ConfigMap; the agent logs it when it (re)configures the exporter. */
  readonly name: string;
  /** Where the flows go. @default FlowLogOutput.stdout() */
  readonly output?: FlowLogOutput;
  /** flow.Flow field paths to keep (e.g. `time`, `verdict`, `source.namespace`). @default - every field */
  readonly fieldMask?: string[];
  /** Flows to export: a flow is exported when any filter matches. @default - every flow */
  readonly includeFilters?: FlowFilter[];
  /** Flows to leave out even when an include filter matches. @default - none */
  readonly excludeFilters?: FlowFilter[];
  /**
   * When the flow log stops exporting (RFC 3339 string or Date). An `end` in the past makes the flow log inactive.
   * @default - never
   */
  readonly end?: Date | string;
  /** File rotation of this flow log (Cilium 1.18+, file outputs only). @default - the agent's defaults */
  readonly rotation?: FlowLogRotation;
  /** Flow aggregation (Cilium 1.19+). @default - every flow is exported as it comes */
  readonly aggregation?: FlowLogAggregation;
}

/** Properties for `HubbleFlowLogs`. */
export interface HubbleFlowLogsProps {
  /**
   * Name of the ConfigMap. The Helm values fragment sets `hubble.export.dynamic.config.configMapName` to it.
   * @default 'cilium-flowlog-config'
   */
  readonly name?: string;
  /**
   * Namespace of the ConfigMap: the namespace of the Cilium Helm release, where the agent DaemonSet mounts it from.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /** Flow logs to start with; add more with `addFlowLog()`. @default - none; at least one before synthesis */
  readonly flowLogs?: FlowLogOptions[];
  /**
   * Labels and annotations of the ConfigMap (e.g. `argocd.argoproj.io/sync-wave`); more can be added later with
   * `flowLogs.metadata.addLabel(...)`. Keys under `netsec.io/` are refused.
   * @default - no labels or annotations
   */
  readonly metadata?: ResourceMetadataProps;
}

/** The data key the agent reads (`hubble-flowlogs-config-path` = /flowlog-config/flowlogs.yaml). */
export const FLOW_LOGS_DATA_KEY = FLOW_LOGS_KEY;

/**
 * The Hubble dynamic flow-log exporter configuration: the `cilium-flowlog-config` ConfigMap with `flowlogs.yaml`,
 * one entry per named flow log, plus the Cilium Helm values without which the agent never reads it
 * (`hubble.export.dynamic.enabled: true`, `config.createConfigMap: false`, `config.configMapName`).
 *
 * Everything is checked against the target's Cilium line when added: filter fields, drop reasons and event types
 * from the upstream enum data, rotation keys from 1.18, aggregation keys from 1.19; a sub-type is always paired with
 * `match_sub_type: true`; names and paths are unique (one bad entry makes the agent reject the whole file).
 *
 * @see https://docs.cilium.io/en/stable/observability/hubble/configuration/export/
 */
export class HubbleFlowLogs extends Construct {
  /** The ConfigMap's name. */
  public readonly name: string;
  /** The ConfigMap's namespace. */
  public readonly namespace: string;
  /** The Cilium Helm values that make the agent read this ConfigMap. */
  public readonly helmValues: HelmValues;
  /** The ConfigMap's metadata, as cdk8s-plus exposes it: `flowLogs.metadata.addLabel(...)`, `addAnnotation(...)`. */
  public readonly metadata: ApiObjectMetadataDefinition;
  /** The L1 ConfigMap (escape hatch: `ApiObject.of(flowLogs)` gives the same object). */
  protected readonly apiObject: ApiObject;
  private readonly target: Target;
  private readonly entries: Record<string, unknown>[] = [];

  public constructor(scope: Construct, id: string, props: HubbleFlowLogsProps = {}) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`HubbleFlowLogs '${this.node.path}'`, 'props', props);
    this.target = Target.of(this);
    lineContext(this.target, this.who);
    this.name = props.name ?? 'cilium-flowlog-config';
    this.namespace = props.namespace ?? 'kube-system';
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.name, namespace: this.namespace },
      data: { [FLOW_LOGS_DATA_KEY]: Lazy.any({ produce: () => this._renderFlowLogs() }) },
    });
    applyResourceMetadata(this.who, props.metadata, [this.apiObject]);
    this.metadata = this.apiObject.metadata;
    this.helmValues = new HelmValues(this, 'HelmValues', {
      release: 'cilium',
      reason: `Hubble flow logs: the agent reads ConfigMap ${this.namespace}/${this.name} only with the dynamic exporter on, and Helm must not create a ConfigMap of its own.`,
      values: { hubble: { enabled: true, export: { dynamic: { enabled: true, config: { configMapName: this.name, createConfigMap: false } } } } },
    });
    addNote(this, `ConfigMap ${this.namespace}/${this.name} configures the Hubble flow-log exporter; the agent reads it only with the values in cilium-values.yaml, and picks up changes within about a minute.`);
    for (const options of props.flowLogs ?? []) this.addFlowLog(options);
    this.node.addValidation({
      validate: () => (this.entries.length === 0 ? ['HubbleFlowLogs needs at least one flow log; call addFlowLog().'] : []),
    });
  }

  /** Names of the flow logs, in the order they were added. */
  public get flowLogNames(): string[] {
    return this.entries.map((e) => e.name as string);
  }

  /**
   * Adds a named flow log; it is checked against the target's Cilium line at once.
   * @example flowLogs.addFlowLog({ name: 'egress-denied', includeFilters: [FlowFilter.egressDeniedByDenyRule()] })
   */
  public addFlowLog(options: FlowLogOptions): void {
    const name = options.name;
    if (typeof name !== 'string' || name.trim() === '' || name !== name.trim()) {
      throw new NetsecError('INVALID', `${this.who}: flow log 'name' must be a non-empty string without surrounding spaces (got ${JSON.stringify(name)}).`);
    }
    const who = `${this.who}: flow log '${name}'`;
    const output = options.output ?? FlowLogOutput.stdout();
    if (!output.isFile) this.target.require(Feature.HUBBLE_EXPORT_STDOUT, who);
    const ctx = (where: string): LineContext => lineContext(this.target, `${who} ${where}`);
    const entry: Record<string, unknown> = {
      name,
      filePath: output.filePath,
      fieldMask: [...(options.fieldMask ?? [])],
      includeFilters: (options.includeFilters ?? []).map((f, i) => renderFilter(f, ctx(`includeFilters[${i}]`))),
      excludeFilters: (options.excludeFilters ?? []).map((f, i) => renderFilter(f, ctx(`excludeFilters[${i}]`))),
    };
    if (options.rotation) {
      this.target.require(Feature.HUBBLE_FLOWLOG_ROTATION, who);
      if (!output.isFile) {
        throw new NetsecError('INVALID', `${who}: 'rotation' applies to file outputs only; 'stdout' is never rotated. Drop 'rotation' or use FlowLogOutput.file(...).`);
      }
      const { maxSizeMb, maxBackups, compress } = options.rotation;
      if (maxSizeMb !== undefined) entry.fileMaxSizeMb = positiveInt(maxSizeMb, `${who} rotation.maxSizeMb`, 1);
      if (maxBackups !== undefined) entry.fileMaxBackups = positiveInt(maxBackups, `${who} rotation.maxBackups`, 0);
      if (compress !== undefined) entry.fileCompress = compress;
    }
    if (options.aggregation) {
      this.target.require(Feature.HUBBLE_FLOWLOG_AGGREGATION, who);
      const { fields, interval } = options.aggregation;
      if (fields.length === 0) {
        throw new NetsecError('INVALID', `${who}: 'aggregation.fields' must name at least one flow field; the agent aggregates only when fields are given.`);
      }
      entry.fieldAggregate = [...fields];
      const seconds = interval.toSeconds({ integral: false });
      if (!(seconds > 0) || !Number.isInteger(seconds)) {
        throw new NetsecError('INVALID', `${who}: 'aggregation.interval' must be a whole number of seconds above 0 (got ${interval.toHumanString()}).`);
      }
      entry.aggregationInterval = `${seconds}s`;
    }
    if (options.end !== undefined) entry.end = rfc3339(options.end, `${who} end`);
    // Keys in the agent's own struct order.
    const ordered: Record<string, unknown> = {};
    for (const key of Object.keys(FLOW_LOG_CONFIG_KEYS)) if (entry[key] !== undefined) ordered[key] = entry[key];
    // The lint rules' own check of the file with this entry added (names and paths unique, field paths, keys of the
    // target's line): the first error is thrown here, where the entry is added, with its rule id.
    const at = `flowLogs[${this.entries.length}]`;
    const problem = checkFlowLogsFile({ flowLogs: [...this.entries, ordered] }, { cilium: ctx('').cilium }).find(
      (p) => p.path.startsWith(at) && (p.severity ?? ruleSeverity(p.ruleId)) === Severity.ERROR,
    );
    if (problem) {
      const field = problem.path.slice(at.length).replace(/^\./, '');
      throw new NetsecError('INVALID', `${who}${field ? ` ${field}` : ''}: ${problem.ruleId}: ${problem.message}`);
    }
    this.entries.push(ordered);
  }

  /**
   * The flowlogs.yaml text.
   * @internal
   */
  public _renderFlowLogs(): string {
    // YAML 1.1 quoting: the agent parses the file with Go's YAML 1.1 decoder, where an unquoted `yes`, `on` or
    // timestamp would not stay a string.
    return stringify({ flowLogs: this.entries }, { version: '1.1', lineWidth: 0, minContentWidth: 0 });
  }

  /** Named as the ConfigMap it writes once that is known (messages speak of objects, not construct paths). */
  private get who(): string {
    return this.name === undefined ? `HubbleFlowLogs '${this.node.path}'` : `HubbleFlowLogs '${this.namespace}/${this.name}'`;
  }
}

function renderFilter(filter: FlowFilter, ctx: LineContext): FlowFilterConfig {
  if (!(filter instanceof FlowFilter)) {
    throw new NetsecError('INVALID', `${ctx.who}: expected a FlowFilter (FlowFilter.match(...), a preset, or FlowFilter.fromRaw(...)); got ${JSON.stringify(filter)}.`);
  }
  return filter._render(ctx);
}

function positiveInt(n: number, who: string, min: number): number {
  if (!Number.isInteger(n) || n < min) throw new NetsecError('INVALID', `${who} must be an integer of ${min} or more (got ${n}).`);
  return n;
}

function rfc3339(end: Date | string, who: string): string {
  if (end instanceof Date) {
    if (Number.isNaN(end.getTime())) throw new NetsecError('INVALID', `${who}: the Date is invalid.`);
    return end.toISOString().replace('.000Z', 'Z');
  }
  if (typeof end !== 'string' || !isRfc3339Time(end)) {
    throw new NetsecError('INVALID', `${who}: ${JSON.stringify(end)} is not an RFC 3339 time; expected e.g. '2026-01-31T00:00:00Z'.`);
  }
  return end;
}

function ruleSeverity(id: string): Severity | undefined {
  return HUBBLE_RULES.find((r) => r.id === id)?.severity;
}
