import { IConstruct } from 'constructs';
import { CidrSet } from '../cidr/cidr-set.js';
import { toCidrSet } from '../cidr/aggregate.js';
import { subtract } from '../cidr/exclude.js';
import { NamedCidr, findRefusals } from '../cidr/refusals.js';
import { CidrShard, shardCidrs } from '../cidr/shard.js';
import { addWarning } from '../core/diagnostics.js';
import { NetsecError, formatCount } from '../core/errors.js';
import { OWNER_LABEL, checkLabels } from '../core/resource-metadata.js';
import { ApplyMode, Target } from '../core/target.js';
import { suppressRules } from '../lint/suppressions.js';
import { requireList } from '../core/arguments.js';

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
  /**
   * Accept a block list that covers more than half of the IPv4 or IPv6 address space (after `except`): such a list
   * blocks most of the internet and is almost always a mistake (a default route with a few exceptions).
   * @default false
   */
  readonly allowHugeBlock?: boolean;
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

/** The owner label of block `name`; refuses user labels that try to set it or break the label grammar. */
export function ownerLabels(who: string, name: string, labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (labels && OWNER_LABEL in labels) {
    throw new NetsecError('INVALID', `${who}: labels sets '${OWNER_LABEL}', which netsec sets itself to '${name}' so the policy selects only this block's sets; remove it from labels.`);
  }
  checkLabels(who, 'labels', labels);
  return { [OWNER_LABEL]: name };
}

/** Where a block's own labels come from, for a `metadata.labels` conflict: the user's `labels`, or the default. */
export function blockLabelsSource(labels: Readonly<Record<string, string>> | undefined): string {
  return labels ? "'labels'" : "the default labels { policy: <name> } (set 'labels' to replace them)";
}

/** More than this share of an address family is a "huge" block. */
const HUGE_BLOCK_SHARE = 2n; // one half

/**
 * Resolves a block list for a target: parse and aggregate, subtract `except`, refuse what is dangerous unless
 * explicitly allowed: empty, a default route in the list (judged before `except`, so carving a few prefixes out of
 * `0.0.0.0/0` does not pass), more than half of an address family (after `except`), cluster overlap. Explicit
 * allowances are recorded as lint suppressions on `scope` (listed in the output header), so the matching
 * cluster-safety rule does not refuse the policy again. Throws NetsecError('INVALID') naming `who`.
 */
export function resolveBlockList(scope: IConstruct, who: string, target: Target, props: BlockListProps): CidrSet {
  // From JavaScript a string list was read one character at a time, and `except: 42` ignored (a larger block).
  const listed = props.cidrs instanceof CidrSet ? props.cidrs : toCidrSet(requireList<string>(who, 'cidrs', props.cidrs), { source: who });
  const except = props.except === undefined ? [] : requireList<string>(who, 'except', props.except);
  const set = except.length ? subtract(listed, toCidrSet(except, { source: `${who} except` })) : listed;
  const clusterCidrs = clusterCidrsOf(target);
  const refusals = [
    ...findRefusals(listed, { name: who, allowEmpty: true, allowDefaultRoute: props.allowDefaultRoute }),
    ...findRefusals(set, { name: who, clusterCidrs, allowEmpty: props.allowEmpty, allowDefaultRoute: true, allowClusterOverlap: props.allowClusterOverlap }),
  ].map((r) => r.message);
  if (!props.allowHugeBlock) {
    const covered = set.addresses();
    for (const [family, count, total] of [['IPv4', covered.v4, 1n << 32n], ['IPv6', covered.v6, 1n << 128n]] as const) {
      if (count * HUGE_BLOCK_SHARE <= total || listed.isEmpty) continue;
      if (refusals.some((m) => m.includes(family === 'IPv4' ? "'0.0.0.0/0'" : "'::/0'"))) continue; // already refused, with the clearer reason
      refusals.push(`${who} covers ${formatCount(count)} of ${formatCount(total)} ${family} addresses (more than half); expected a list of specific networks (a block this large cuts the cluster off from most of the internet; set allowHugeBlock to accept it)`);
    }
  }
  if (refusals.length) throw new NetsecError('INVALID', refusals.join('\n'));
  if (clusterCidrs.length === 0) {
    addWarning(scope, `${who}: target '${target.name}' names no cluster addresses (cluster.podCidrs, cluster.serviceCidrs, cluster.apiServerCidrs), so netsec could not check that the block list spares the cluster's own pods, Services and API server. Name them in the target.`);
  }
  const accepted = [
    ...(props.allowDefaultRoute ? ['allowDefaultRoute'] : []),
    ...(props.allowClusterOverlap ? ['allowClusterOverlap'] : []),
    ...(props.allowHugeBlock ? ['allowHugeBlock'] : []),
  ];
  if (accepted.length) suppressRules(scope, [{ id: 'cilium/deny-cluster-infrastructure', reason: `${accepted.join(', ')} set on ${who}` }]);
  return set;
}
/** Bytes of an object's annotations (keys and values), as the API server's annotation cap counts them. */
function annotationBytes(obj: unknown): number {
  const annotations = (obj as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations ?? {};
  return Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/**
 * Shards a block list into objects of one kind, under the byte budget of the apply mode. `skeleton(name)` is the
 * object with an empty list, so the overhead is measured rather than guessed. Object names are `<base>` for a single
 * shard (as a hand-written manifest would be), `<base>-<shard id>` otherwise.
 */
export function shardBlockList(set: CidrSet, base: string, applyMode: ApplyMode, skeleton: (name: string) => unknown): { name: string; shard: CidrShard }[] {
  const shards = shardCidrs(set, {
    mode: applyMode,
    // JSON size of the object around its list, plus room for kubectl's own additions to the annotation. Client-side
    // apply caps all annotations together, its copy of the object included: the object's own annotations count twice.
    objectOverheadBytes: (id) => {
      const obj = skeleton(`${base}-${id}`);
      return JSON.stringify(obj).length + 512 + (applyMode === ApplyMode.CLIENT_SIDE ? annotationBytes(obj) : 0);
    },
  });
  return shards.map((shard) => ({ name: shards.length === 1 ? base : `${base}-${shard.id}`, shard }));
}
