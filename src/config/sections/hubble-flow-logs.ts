import { Duration } from 'cdk8s';
import { NetsecError, SourceLocation } from '../../core/errors.js';
import { Product } from '../../core/versions.js';
import { EventTypeMatch } from '../../hubble/event-type-match.js';
import { FlowFilter, FlowFilterPreset } from '../../hubble/flow-filter.js';
import { FlowLogOutput } from '../../hubble/flow-log-output.js';
import { DROP_REASONS, DropReason, FLOW_FILTER_MESSAGES, FlowFilterFields, FlowFilterFieldSpec, MONITOR_EVENT_TYPES, MonitorEventType } from '../../hubble/generated/cilium-flow-data.js';
import { ENUM_TABLES, MESSAGE_OF_TYPE } from '../../hubble/_line-data.js';
import { FlowLogOptions, HubbleFlowLogs } from '../../hubble/hubble-flow-logs.js';
import { ResourceMetadataProps } from '../../core/resource-metadata.js';
import { ConfigSection, METADATA_PROPERTY, SectionBuildContext, SUPPRESS_PROPERTY, TARGETS_PROPERTY, constructId } from '../section.js';

/** One `eventType` entry: a monitor type by name, optionally one drop reason or a raw sub-type. */
export interface EventTypeValue {
  readonly type: MonitorEventType;
  readonly dropReason?: DropReason;
  readonly subType?: number;
}

/** One filter: a preset, or FlowFilter fields by their JSON names (as in TypeScript). */
export type FlowFilterValue = { readonly preset: FlowFilterPreset } | (Omit<FlowFilterFields, 'eventType'> & { readonly eventType?: EventTypeValue[] });

/** One flow log; mirrors `FlowLogOptions` (`file` instead of `output`, the interval in seconds). */
export interface FlowLogValue {
  readonly name: string;
  /** A file under /var/run/cilium/hubble/; absent = stdout. */
  readonly file?: string;
  readonly fieldMask?: string[];
  readonly includeFilters?: FlowFilterValue[];
  readonly excludeFilters?: FlowFilterValue[];
  readonly end?: string;
  readonly rotation?: { readonly maxSizeMb?: number; readonly maxBackups?: number; readonly compress?: boolean };
  readonly aggregation?: { readonly fields: string[]; readonly intervalSeconds: number };
}

/** One entry of `hubbleFlowLogs:`; mirrors `HubbleFlowLogsProps`. */
export interface HubbleFlowLogsValue {
  readonly targets?: string[];
  readonly component?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly metadata?: ResourceMetadataProps;
  readonly flowLogs: FlowLogValue[];
}

const EVENT_TYPE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: Object.keys(MONITOR_EVENT_TYPES), description: 'Monitor message type by name (drop = 1, l7 = 129 ...).' },
    dropReason: { enum: Object.keys(DROP_REASONS), description: 'Only drops with this reason (type: drop); renders sub_type with match_sub_type: true.' },
    subType: { type: 'integer', minimum: 0, maximum: 255, description: 'A raw sub-type (always rendered with match_sub_type: true).' },
  },
} as const;

/** JSON Schema of one FlowFilter message, from the generated upstream field tables (every vendored line's fields). */
function messageSchema(message: string): Record<string, unknown> {
  const property = (f: FlowFilterFieldSpec): Record<string, unknown> => {
    const item: Record<string, unknown> =
      f.type === 'EventTypeFilter'
        ? EVENT_TYPE_SCHEMA
        : ENUM_TABLES[f.type]
          ? { enum: Object.keys(ENUM_TABLES[f.type]) }
          : MESSAGE_OF_TYPE[f.type]
            ? messageSchema(MESSAGE_OF_TYPE[f.type])
            : f.type === 'bool'
              ? { type: 'boolean' }
              : f.type === 'string'
                ? { type: 'string', minLength: 1 }
                : { type: ['integer', 'string'] };
    const description = `Cilium ${f.lines[0]}+ (proto field ${f.name}).`;
    return f.repeated ? { type: 'array', items: item, description } : { ...item, description };
  };
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(FLOW_FILTER_MESSAGES[message].map((f) => [f.jsonName, property(f)])),
  };
}

const FLOW_FILTER_SCHEMA = messageSchema('FlowFilter');
/** A preset alone, or FlowFilter fields (one schema, so that a typo is reported as an unknown key, not a oneOf failure). */
const FILTER_SCHEMA = {
  ...FLOW_FILTER_SCHEMA,
  minProperties: 1,
  properties: {
    preset: {
      enum: Object.values(FlowFilterPreset),
      description:
        'A named filter, alone, without other fields. egress-denied-by-deny-rule: egress dropped by an explicit deny rule (drop reason 181 POLICY_DENY); ' +
        'egress-dropped-by-default-deny: egress dropped because no rule allowed it under default deny (133 POLICY_DENIED); egress-policy-drops: both.',
    },
    ...(FLOW_FILTER_SCHEMA.properties as Record<string, unknown>),
  },
};

const FLOW_LOG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, description: 'Name of the flow log (unique in the entry).' },
    file: { type: 'string', description: 'A file under /var/run/cilium/hubble/ (rotated by the agent). Default: stdout.' },
    fieldMask: { type: 'array', items: { type: 'string' }, description: 'flow.Flow field paths to keep, e.g. time, verdict, source.namespace. Default: every field.' },
    includeFilters: { type: 'array', items: FILTER_SCHEMA, description: 'A flow is exported when any filter matches. Default: every flow.' },
    excludeFilters: { type: 'array', items: FILTER_SCHEMA, description: 'A flow any of these filters matches is not exported. Default: none.' },
    end: { type: 'string', description: 'RFC 3339 time after which the flow log stops.' },
    rotation: {
      type: 'object',
      additionalProperties: false,
      description: 'Cilium 1.18+, file outputs only.',
      properties: {
        maxSizeMb: { type: 'integer', minimum: 1, description: "Size in MB at which the file is rotated. Default: 10 (the agent's default)." },
        maxBackups: { type: 'integer', minimum: 0, description: "Rotated files kept. Default: 5 (the agent's default)." },
        compress: { type: 'boolean', description: 'Gzip rotated files. Default: false.' },
      },
    },
    aggregation: {
      type: 'object',
      additionalProperties: false,
      required: ['fields', 'intervalSeconds'],
      description: 'Cilium 1.19+.',
      properties: {
        fields: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'flow.Flow field paths to aggregate on, e.g. source.namespace, destination.namespace, verdict.' },
        intervalSeconds: { type: 'integer', minimum: 1, description: 'How often aggregated flows are exported, in seconds.' },
      },
    },
  },
};

/** The FlowFilter a config entry describes; `location` is where it is written, for messages. */
export function flowFilterOf(value: FlowFilterValue, location?: SourceLocation): FlowFilter {
  if ('preset' in value) {
    const others = Object.keys(value).filter((k) => k !== 'preset');
    if (others.length) {
      throw new NetsecError('CONFIG', `a filter with 'preset: ${value.preset}' must not name other fields (found ${others.join(', ')}); write the preset's fields out instead.`, location);
    }
    return FlowFilter.preset(value.preset);
  }
  const { eventType, ...rest } = value;
  // A drop reason is the sub-type of a drop event: with another type, or beside a subType, one of the two values the
  // user wrote would be written over by the other.
  eventType?.forEach((e, i) => {
    if (e.dropReason === undefined) return;
    if (e.type !== 'drop') {
      throw new NetsecError('CONFIG', `eventType[${i}] has dropReason '${e.dropReason}' with type '${e.type}'; expected type: drop (a drop reason is the sub-type of drop events); write type: drop, or remove dropReason`, location);
    }
    if (e.subType !== undefined) {
      throw new NetsecError('CONFIG', `eventType[${i}] has both dropReason '${e.dropReason}' and subType ${e.subType}; expected one of them (a drop reason is the sub-type of drop events); remove one`, location);
    }
  });
  const events = eventType?.map((e) =>
    e.dropReason !== undefined ? EventTypeMatch.drop(e.dropReason) : e.subType !== undefined ? EventTypeMatch.withSubType(e.type, e.subType) : EventTypeMatch.of(e.type),
  );
  return FlowFilter.match({ ...rest, ...(events ? { eventType: events } : {}) });
}

/** The FlowLogOptions a config entry describes; `where` locates a value of it by JSON pointer, for messages. */
export function flowLogOptionsOf(value: FlowLogValue, where: (pointer: string) => SourceLocation | undefined = () => undefined): FlowLogOptions {
  return {
    name: value.name,
    output: value.file === undefined ? FlowLogOutput.stdout() : FlowLogOutput.file(value.file),
    fieldMask: value.fieldMask,
    includeFilters: value.includeFilters?.map((f, i) => flowFilterOf(f, where(`/includeFilters/${i}`))),
    excludeFilters: value.excludeFilters?.map((f, i) => flowFilterOf(f, where(`/excludeFilters/${i}`))),
    end: value.end,
    rotation: value.rotation,
    aggregation: value.aggregation ? { fields: value.aggregation.fields, interval: Duration.seconds(value.aggregation.intervalSeconds) } : undefined,
  };
}

/** `hubbleFlowLogs:` — the Hubble flow-log exporter ConfigMap and its Cilium Helm values, per Cilium target. */
export const hubbleFlowLogsSection: ConfigSection<HubbleFlowLogsValue> = {
  key: 'hubbleFlowLogs',
  description:
    'Hubble dynamic flow-log exporter: the cilium-flowlog-config ConfigMap (flowlogs.yaml) with typed filters checked against each target\'s Cilium line, and the Helm values that make the agent read it.',
  schema: {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['flowLogs'],
      properties: {
        targets: TARGETS_PROPERTY,
        suppress: SUPPRESS_PROPERTY,
        component: { type: 'string', description: 'Output file (without .yaml) in dist/<target>/. Default: hubble-flow-logs.' },
        name: { type: 'string', description: 'ConfigMap name. Default: cilium-flowlog-config.' },
        namespace: { type: 'string', description: 'Namespace of the Cilium release. Default: kube-system.' },
        metadata: { ...METADATA_PROPERTY, description: "Labels and annotations of the ConfigMap. Keys under netsec.io/ are netsec's own and refused." },
        flowLogs: { type: 'array', minItems: 1, items: FLOW_LOG_SCHEMA, description: 'The flow logs of the agent\'s dynamic exporter (hubble.export.dynamic), one per output.' },
      },
    },
  },
  needs: [Product.CILIUM],
  objects: (entry) => [{
    // The agent reads one flow-log ConfigMap, named in its Helm values: two entries on a target cannot both apply.
    label: "the Hubble flow-log exporter's Helm values",
    pointer: '',
    remedy: 'expected one hubbleFlowLogs entry per target (the Cilium agent reads one flow-log ConfigMap); merge their flowLogs into one entry, or put them on different targets',
  }],
  build(ctx: SectionBuildContext, entry: HubbleFlowLogsValue): void {
    const chart = ctx.chart(entry.component ?? 'hubble-flow-logs');
    const name = entry.name ?? 'cilium-flowlog-config';
    new HubbleFlowLogs(chart, constructId('FlowLogs', entry.namespace ?? 'kube-system', name), {
      name,
      namespace: entry.namespace,
      metadata: entry.metadata,
      flowLogs: entry.flowLogs.map((f, j) => flowLogOptionsOf(f, (p) => ctx.where(`/flowLogs/${j}${p}`))),
    });
  },
};
