import { NetsecError } from '../core/errors.js';
import { DROP_REASONS, DropReason, MONITOR_EVENT_TYPES, MonitorEventType } from './generated/cilium-flow-data.js';
import { LineContext, requireLine } from './_line-data.js';

/** The wire form of one `event_type` entry of a FlowFilter (`EventTypeFilter` in flow.proto). */
export interface EventTypeFilterConfig {
  readonly type: number;
  readonly match_sub_type?: boolean;
  readonly sub_type?: number;
}

/**
 * One entry of a FlowFilter's `event_type` list: a monitor message type, optionally narrowed to one sub-type.
 * Cilium ignores `sub_type` unless `match_sub_type: true` (0 is a valid sub-type), so an entry with a sub-type always
 * renders both: `EventTypeMatch.drop(DropReason.POLICY_DENY)` is `{type: 1, match_sub_type: true, sub_type: 181}`.
 */
export class EventTypeMatch {
  /**
   * Drop events (monitor type 1), optionally only those with one drop reason.
   * @example EventTypeMatch.drop(DropReason.POLICY_DENY) // {type: 1, match_sub_type: true, sub_type: 181}
   */
  public static drop(reason?: DropReason): EventTypeMatch {
    if (reason !== undefined && !(reason in DROP_REASONS)) {
      throw new NetsecError('INVALID', `EventTypeMatch.drop('${String(reason)}'): not a Cilium drop reason; expected one of the DropReason names, e.g. 'POLICY_DENY'.`);
    }
    return new EventTypeMatch(MonitorEventType.DROP, reason === undefined ? undefined : DROP_REASONS[reason].code, reason);
  }

  /**
   * Every event of one monitor message type, any sub-type.
   * @example EventTypeMatch.of(MonitorEventType.L7) // {type: 129}: L7 access-log flows, where L7 policy denials land
   */
  public static of(type: MonitorEventType): EventTypeMatch {
    EventTypeMatch.checkType(type, 'of');
    return new EventTypeMatch(type);
  }

  /**
   * One monitor type narrowed to a raw sub-type (a trace observation point, a debug event type ...), for sub-types
   * netsec has no names for. Use `drop(reason)` for drops.
   * @example EventTypeMatch.withSubType(MonitorEventType.TRACE, 0) // {type: 4, match_sub_type: true, sub_type: 0}
   */
  public static withSubType(type: MonitorEventType, subType: number): EventTypeMatch {
    EventTypeMatch.checkType(type, 'withSubType');
    if (!Number.isInteger(subType) || subType < 0 || subType > 255) {
      throw new NetsecError('INVALID', `EventTypeMatch.withSubType('${type}', ${subType}): 'subType' must be an integer 0-255 (got ${subType}).`);
    }
    if (type === MonitorEventType.DROP) {
      const reason = (Object.keys(DROP_REASONS) as DropReason[]).find((r) => DROP_REASONS[r].code === subType);
      if (reason) return new EventTypeMatch(type, subType, reason);
    }
    return new EventTypeMatch(type, subType);
  }

  private static checkType(type: MonitorEventType, factory: string): void {
    if (!(type in MONITOR_EVENT_TYPES)) {
      throw new NetsecError('INVALID', `EventTypeMatch.${factory}('${String(type)}'): not a monitor event type; expected one of: ${Object.keys(MONITOR_EVENT_TYPES).join(', ')}.`);
    }
  }

  private constructor(
    /** The monitor message type. */
    public readonly type: MonitorEventType,
    /** The sub-type matched, if any (for drops: the drop reason's code). */
    public readonly subType?: number,
    /** The drop reason, when this matches drops of one reason. */
    public readonly dropReason?: DropReason,
  ) {}

  /** How the entry reads in messages, e.g. `drop/POLICY_DENY`. */
  public toString(): string {
    if (this.dropReason) return `${this.type}/${this.dropReason}`;
    return this.subType === undefined ? this.type : `${this.type}/${this.subType}`;
  }

  /**
   * The wire form for the target's Cilium line; throws when the type or drop reason does not exist there.
   * @internal
   */
  public _render(ctx: LineContext): EventTypeFilterConfig {
    const spec = MONITOR_EVENT_TYPES[this.type];
    requireLine(ctx, `monitor event type '${this.type}'`, spec.lines);
    if (this.dropReason) requireLine(ctx, `drop reason '${this.dropReason}' (${DROP_REASONS[this.dropReason].code})`, DROP_REASONS[this.dropReason].lines);
    if (this.subType === undefined) return { type: spec.value };
    return { type: spec.value, match_sub_type: true, sub_type: this.subType };
  }
}
