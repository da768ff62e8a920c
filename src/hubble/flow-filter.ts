import { NetsecError } from '../core/errors.js';
import { EventTypeMatch } from './event-type-match.js';
import { filterProblems, filterValueProblem } from './filter-values.js';
import { DropReason, FLOW_FILTER_MESSAGES, FlowFilterFieldSpec, FlowFilterFields, MONITOR_EVENT_TYPES, MonitorEventType, TrafficDirection } from './generated/cilium-flow-data.js';
import { ENUM_TABLES, LineContext, MESSAGE_OF_TYPE, requireLine } from './_line-data.js';

/** Named filters for the questions platform teams ask most; each is one `FlowFilter` (see its factories). */
export enum FlowFilterPreset {
  /** Egress dropped by an explicit deny rule (drop reason 181 `POLICY_DENY`): what a geo-block or egress block stops. */
  EGRESS_DENIED_BY_DENY_RULE = 'egress-denied-by-deny-rule',
  /** Egress dropped because no rule allowed it under default deny (drop reason 133 `POLICY_DENIED`). */
  EGRESS_DROPPED_BY_DEFAULT_DENY = 'egress-dropped-by-default-deny',
  /** Both of the above: every egress packet a network policy dropped. */
  EGRESS_POLICY_DROPS = 'egress-policy-drops',
}

/** The wire form of a FlowFilter: snake_case proto names, as Cilium prints and documents them. */
export type FlowFilterConfig = Record<string, unknown>;

/**
 * One Hubble flow filter (flow.proto `FlowFilter`): all set fields must match; the values listed for one field are
 * alternatives. Fields, enum values and drop reasons are checked against the upstream data of the target's Cilium
 * line when the filter is added to a flow log, so a field or reason the agent would not know is refused with the
 * first line that has it (an unknown field makes Cilium reject the whole flowlogs.yaml).
 */
export class FlowFilter {
  /**
   * A filter from typed fields.
   * @example FlowFilter.match({ verdict: [Verdict.DROPPED], sourcePod: ['shop/'] })
   */
  public static match(fields: FlowFilterFields): FlowFilter {
    return new FlowFilter(fields, 'FlowFilter.match');
  }

  /**
   * Egress dropped by an explicit deny rule: `{event_type: [{type: 1, match_sub_type: true, sub_type: 181}],
   * traffic_direction: [EGRESS]}`. Does not log default-deny drops (133) or L7 denials (HTTP 403, DNS REFUSED are
   * access-log flows of type 129, not drops).
   */
  public static egressDeniedByDenyRule(): FlowFilter {
    return FlowFilter.egressDrops(DropReason.POLICY_DENY);
  }

  /** Egress dropped by default deny (no rule allowed it): drop reason 133 `POLICY_DENIED`, direction EGRESS. */
  public static egressDroppedByDefaultDeny(): FlowFilter {
    return FlowFilter.egressDrops(DropReason.POLICY_DENIED);
  }

  /** Every egress policy drop: drop reasons 181 and 133 in one filter (the `event_type` entries are alternatives). */
  public static egressPolicyDrops(): FlowFilter {
    return FlowFilter.egressDrops(DropReason.POLICY_DENY, DropReason.POLICY_DENIED);
  }

  /** The filter of a preset. */
  public static preset(preset: FlowFilterPreset): FlowFilter {
    switch (preset) {
      case FlowFilterPreset.EGRESS_DENIED_BY_DENY_RULE:
        return FlowFilter.egressDeniedByDenyRule();
      case FlowFilterPreset.EGRESS_DROPPED_BY_DEFAULT_DENY:
        return FlowFilter.egressDroppedByDefaultDeny();
      case FlowFilterPreset.EGRESS_POLICY_DROPS:
        return FlowFilter.egressPolicyDrops();
      default:
        throw new NetsecError('INVALID', `FlowFilter.preset('${String(preset)}'): unknown preset; expected one of: ${Object.values(FlowFilterPreset).join(', ')}.`);
    }
  }

  /**
   * Escape hatch: a filter written in Cilium's own wire form (proto or JSON field names, enum names, `event_type`
   * entries as `{type, match_sub_type, sub_type}` numbers). It is still checked against the target line's data.
   * @example FlowFilter.fromRaw({ event_type: [{ type: 1, match_sub_type: true, sub_type: 181 }] })
   */
  public static fromRaw(raw: Record<string, unknown>): FlowFilter {
    return new FlowFilter(raw, 'FlowFilter.fromRaw');
  }

  private static egressDrops(...reasons: DropReason[]): FlowFilter {
    return FlowFilter.match({ eventType: reasons.map((r) => EventTypeMatch.drop(r)), trafficDirection: [TrafficDirection.EGRESS] });
  }

  private constructor(
    private readonly fields: FlowFilterFields | Record<string, unknown>,
    factory: string,
  ) {
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
      throw new NetsecError('INVALID', `${factory}: expected an object of filter fields (got ${JSON.stringify(fields)}).`);
    }
    if (Object.values(fields).every((v) => v === undefined)) {
      throw new NetsecError('INVALID', `${factory}({}): an empty filter matches every flow; leave 'includeFilters' empty to export everything, or name a field.`);
    }
  }

  /**
   * The wire form for the target's Cilium line, keys in flow.proto declaration order.
   * @internal
   */
  public _render(ctx: LineContext): FlowFilterConfig {
    const wire = renderMessage('FlowFilter', this.fields as Record<string, unknown>, ctx);
    const problem = filterProblems(wire)[0];
    if (problem) throw new NetsecError('INVALID', `${ctx.who}: ${problem.message}`);
    return wire;
  }
}

function renderMessage(message: string, value: Record<string, unknown>, ctx: LineContext): Record<string, unknown> {
  const specs = FLOW_FILTER_MESSAGES[message];
  for (const key of Object.keys(value)) {
    if (value[key] === undefined) continue;
    if (!specs.some((s) => s.jsonName === key || s.name === key)) {
      const close = specs.find((s) => s.name.replace(/_/g, '') === key.replace(/[_-]/g, '').toLowerCase());
      const hint = close ? ` Did you mean '${close.name}'?` : '';
      throw new NetsecError('INVALID', `${ctx.who}: '${key}' is not a field of ${message}; Cilium would reject the whole flowlogs.yaml.${hint}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const v = value[spec.jsonName] ?? value[spec.name];
    if (v === undefined) continue;
    // Messages name the key as it was written (sourcePod in netsec.yaml and TypeScript, source_pod in raw filters).
    const written = value[spec.jsonName] !== undefined ? spec.jsonName : spec.name;
    requireLine(ctx, `${message} field '${spec.name}'`, spec.lines);
    if (spec.repeated) {
      if (!Array.isArray(v)) throw new NetsecError('INVALID', `${ctx.who}: '${written}' must be a list (got ${JSON.stringify(v)}).`);
      // The agent reads an empty list as an unset field: a filter of empty lists would be {} and match every flow.
      if (v.length === 0) throw new NetsecError('INVALID', `${ctx.who}: '${written}' is an empty list, which the agent reads as no filter on that field (a filter of nothing but empty lists matches every flow); name values, or leave '${written}' out.`);
      out[spec.name] = v.map((item: unknown) => renderValue(spec, item, ctx));
    } else {
      out[spec.name] = renderValue(spec, v, ctx);
    }
  }
  return out;
}

function renderValue(spec: FlowFilterFieldSpec, v: unknown, ctx: LineContext): unknown {
  const bad = (expected: string): never => {
    throw new NetsecError('INVALID', `${ctx.who}: '${spec.name}' takes ${expected} (got ${JSON.stringify(v)}).`);
  };
  const table = ENUM_TABLES[spec.type];
  if (table) {
    if (typeof v !== 'string' || !Object.hasOwn(table, v)) return bad(`${spec.type} names: ${Object.keys(table).join(', ')}`);
    requireLine(ctx, `${spec.type} '${v}'`, table[v].lines);
    return v;
  }
  const message = MESSAGE_OF_TYPE[spec.type];
  if (message) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad(`a ${spec.type} object`);
    return renderMessage(message, v as Record<string, unknown>, ctx);
  }
  switch (spec.type) {
    case 'string':
      if (typeof v !== 'string' || v.length === 0) return bad('non-empty strings');
      {
        const problem = filterValueProblem(spec.name, v, ctx.cilium);
        if (problem) throw new NetsecError('INVALID', `${ctx.who}: '${spec.name}' ${problem}`);
      }
      return v;
    case 'bool':
      return typeof v === 'boolean' ? v : bad('true or false');
    case 'int32':
    case 'uint32':
      return Number.isInteger(v) && (v as number) >= 0 ? v : bad('non-negative integers');
    case 'uint64':
      return (Number.isInteger(v) && (v as number) >= 0) || (typeof v === 'string' && /^\d+$/.test(v)) ? v : bad('non-negative integers');
    case 'EventTypeFilter':
      return v instanceof EventTypeMatch ? v._render(ctx) : renderRawEventType(v, ctx);
    default:
      throw new Error(`netsec: no renderer for FlowFilter field type ${spec.type}`);
  }
}

/** A raw `{type, match_sub_type, sub_type}` entry (fromRaw): numbers checked against the line's data. */
function renderRawEventType(v: unknown, ctx: LineContext): unknown {
  const raw = v as { type?: unknown; match_sub_type?: unknown; matchSubType?: unknown; sub_type?: unknown; subType?: unknown };
  if (raw === null || typeof raw !== 'object') {
    throw new NetsecError('INVALID', `${ctx.who}: 'event_type' entries are EventTypeMatch values or {type, match_sub_type, sub_type} objects (got ${JSON.stringify(v)}).`);
  }
  const type = (Object.keys(MONITOR_EVENT_TYPES) as MonitorEventType[]).find((t) => MONITOR_EVENT_TYPES[t].value === raw.type);
  if (!type) {
    throw new NetsecError('INVALID', `${ctx.who}: event_type 'type' ${JSON.stringify(raw.type)} is not a monitor message type; expected one of: ${Object.values(MONITOR_EVENT_TYPES).map((t) => t.value).join(', ')}.`);
  }
  const subType = raw.sub_type ?? raw.subType;
  const matchSubType = raw.match_sub_type ?? raw.matchSubType;
  if (subType === undefined) return EventTypeMatch.of(type)._render(ctx);
  if (matchSubType !== true) {
    throw new NetsecError('INVALID', `${ctx.who}: event_type {type: ${String(raw.type)}, sub_type: ${String(subType)}} without 'match_sub_type: true' matches every sub-type (Cilium ignores 'sub_type' unless the flag is set). Add match_sub_type: true.`);
  }
  const match = EventTypeMatch.withSubType(type, subType as number);
  if (type === MonitorEventType.DROP && !match.dropReason) {
    throw new NetsecError('INVALID', `${ctx.who}: event_type sub_type ${String(subType)} is not a named drop reason code; expected a code from DropReason, e.g. 181 (POLICY_DENY).`);
  }
  return match._render(ctx);
}
