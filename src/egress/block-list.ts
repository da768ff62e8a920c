import { CidrSet } from '../cidr/cidr-set.js';
import { toCidrSet } from '../cidr/aggregate.js';
import { subtract } from '../cidr/exclude.js';
import { NamedCidr, assertSafeBlockList } from '../cidr/refusals.js';
import { CidrShard, shardCidrs } from '../cidr/shard.js';
import { ApplyMode, Target } from '../core/target.js';

/** What to block, shared by `CiliumEgressBlock` and `CalicoEgressBlock`. */
export interface BlockListProps {
  /**
   * The addresses to block: an aggregated `CidrSet` (from a feed reader) or prefix strings, which are parsed strictly
   * (host bits set is an error) and aggregated to the minimal cover.
   */
  readonly cidrs: CidrSet | readonly string[];
  /** Prefixes to leave out of the block (`except`). @default - none */
  readonly except?: readonly string[];
  /** Accept an empty list (an empty CIDR group once opened a host firewall, cilium#25122). @default false */
  readonly allowEmpty?: boolean;
  /** Accept `0.0.0.0/0` or `::/0`. @default false */
  readonly allowDefaultRoute?: boolean;
  /** Accept prefixes that overlap the target's pod/service CIDRs or API server. @default false */
  readonly allowClusterOverlap?: boolean;
  /** How the output is applied, which decides the per-object byte budget for sharding. @default - the target's applyMode */
  readonly applyMode?: ApplyMode;
}

/** The cluster's own ranges a block list must not cover, named for messages. */
export function clusterCidrsOf(target: Target): NamedCidr[] {
  const c = target.cluster;
  return [
    ...(c.podCidrs ?? []).map((cidr) => ({ cidr, name: 'pod CIDR' })),
    ...(c.serviceCidrs ?? []).map((cidr) => ({ cidr, name: 'service CIDR' })),
    ...(c.apiServerCidrs ?? []).map((cidr) => ({ cidr, name: 'API server' })),
  ];
}

/**
 * Resolves a block list for a target: parse and aggregate, subtract `except`, refuse what is dangerous (empty,
 * default route, cluster overlap) unless explicitly allowed. Throws NetsecError('INVALID') naming `who`.
 */
export function resolveBlockList(who: string, target: Target, props: BlockListProps): CidrSet {
  let set = props.cidrs instanceof CidrSet ? props.cidrs : toCidrSet(props.cidrs, { source: who });
  if (props.except?.length) set = subtract(set, toCidrSet(props.except, { source: `${who} except` }));
  assertSafeBlockList(set, {
    name: who,
    clusterCidrs: clusterCidrsOf(target),
    allowEmpty: props.allowEmpty,
    allowDefaultRoute: props.allowDefaultRoute,
    allowClusterOverlap: props.allowClusterOverlap,
  });
  return set;
}

/**
 * Shards a block list into objects of one kind, under the byte budget of the apply mode. `skeleton(name)` is the
 * object with an empty list, so the overhead is measured rather than guessed. Object names are `<base>` for a single
 * shard (as a hand-written manifest would be), `<base>-<shard id>` otherwise.
 */
export function shardBlockList(set: CidrSet, base: string, applyMode: ApplyMode, skeleton: (name: string) => unknown): { name: string; shard: CidrShard }[] {
  const shards = shardCidrs(set, {
    mode: applyMode,
    // JSON size of the object around its list, plus room for kubectl's own additions to the annotation.
    objectOverheadBytes: (id) => JSON.stringify(skeleton(`${base}-${id}`)).length + 512,
  });
  return shards.map((shard) => ({ name: shards.length === 1 ? base : `${base}-${shard.id}`, shard }));
}
