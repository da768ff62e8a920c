import { NetsecError } from '../core/errors.js';
import { Target } from '../core/target.js';
import { Product, VersionLine } from '../core/versions.js';
import { DROP_REASONS, IP_VERSION_VALUES, PerLine, TRAFFIC_DIRECTION_VALUES, VERDICT_VALUES } from './generated/cilium-flow-data.js';

/**
 * flow.proto enum name -> the generated table of its values (the enum-typed FlowFilter fields).
 * @internal
 */
export const ENUM_TABLES: Record<string, Record<string, PerLine>> = {
  Verdict: VERDICT_VALUES,
  TrafficDirection: TRAFFIC_DIRECTION_VALUES,
  IPVersion: IP_VERSION_VALUES,
  DropReason: DROP_REASONS,
};

/**
 * Message-typed FlowFilter fields: field type -> message name in FLOW_FILTER_MESSAGES.
 * @internal
 */
export const MESSAGE_OF_TYPE: Record<string, string> = {
  Experimental: 'FlowFilter.Experimental',
  Workload: 'Workload',
  HTTPHeader: 'HTTPHeader',
  TCPFlags: 'TCPFlags',
  NetworkInterface: 'NetworkInterface',
};

/**
 * What a value needs to render for one target: the target's Cilium line, and who is asking (for messages).
 * @internal
 */
export interface LineContext {
  readonly target: Target;
  readonly cilium: VersionLine;
  /** Construct path and position, e.g. `HubbleFlowLogs 'prod/FlowLogs': flow log 'egress' includeFilters[0]`. */
  readonly who: string;
}

/** @internal */
export function lineContext(target: Target, who: string): LineContext {
  return { target, cilium: target.requireProduct(Product.CILIUM, who), who };
}

/**
 * Throws unless `lines` (from the generated upstream enum data) holds the target's Cilium line; the message names the
 * first line that has the item, or the last one that still had it.
 * @internal
 */
export function requireLine(ctx: LineContext, item: string, lines: readonly string[]): void {
  if (lines.includes(ctx.cilium.line)) return;
  const first = lines[0];
  const last = lines[lines.length - 1];
  const runs = `target '${ctx.target.name}' runs Cilium ${ctx.cilium}`;
  if (ctx.cilium.compare(first) < 0) {
    throw new NetsecError('INVALID', `${ctx.who}: ${item} exists from Cilium ${first}; ${runs}.`);
  }
  throw new NetsecError('INVALID', `${ctx.who}: ${item} exists only up to Cilium ${last}; ${runs}.`);
}
