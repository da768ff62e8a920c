import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CidrSet } from '../cidr/cidr-set.js';
import { Feature } from '../core/features.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { CiliumClusterwideNetworkPolicy } from '../cilium/cilium-clusterwide-network-policy.js';
import { Peer } from '../cilium/peers.js';
import { DnsAccess, PolicyDefault } from '../cilium/policy-base.js';
import { EndpointSelector } from '../cilium/selectors.js';
import { BlockListProps, ownerLabels, resolveBlockList, shardBlockList } from './block-list.js';
import { CiliumCidrGroup } from './cilium-cidr-group.js';

/** How the policy points at its CIDR groups. Chosen once: it never changes as shards come and go. */
export enum CidrGroupReference {
  /** One `cidrGroupRef` per group, by name (every supported Cilium line). The policy lists exactly the groups it owns. */
  REF = 'ref',
  /**
   * One `cidrGroupSelector` on the owner label netsec sets on every group of this block (Cilium 1.17+): the policy
   * stays the same when the number of shards changes.
   */
  SELECTOR = 'selector',
}

/** Properties for `CiliumEgressBlock`. */
export interface CiliumEgressBlockProps extends BlockListProps {
  /** Name of the CiliumClusterwideNetworkPolicy and base name of its CiliumCIDRGroups. */
  readonly name: string;
  /**
   * Endpoints whose egress is blocked. A CiliumClusterwideNetworkPolicy selects pods of every namespace; it never
   * selects nodes or hostNetwork pods (those need a nodeSelector policy).
   * @default EndpointSelector.all() (every pod in the cluster)
   */
  readonly endpointSelector?: EndpointSelector;
  /** Extra labels on the policy and the groups (for Hubble, ownership, ...); the owner label is always added. @default { policy: <name> } (as hand-written geo-block manifests label them) */
  readonly labels?: Record<string, string>;
  /** How the policy references the groups. @default CidrGroupReference.REF */
  readonly reference?: CidrGroupReference;
}

/**
 * Blocks egress to a list of CIDRs on Cilium: the list is aggregated, sharded into `CiliumCIDRGroup`s under the
 * object-size budget of the apply mode, and denied by one `CiliumClusterwideNetworkPolicy` with
 * `egressDeny: [{toCIDRSet: [...]}]` and `enableDefaultDeny: {egress: false}` (without it, a deny-only policy puts
 * every selected pod into egress default-deny: version-facts finding 1). The policy is the same
 * `CiliumClusterwideNetworkPolicy` construct users write, so every agent-side check applies to it, and it selects only
 * the groups this block owns: by name, or by the `netsec.io/egress-block` label no other object carries.
 */
export class CiliumEgressBlock extends Construct {
  /** The CIDR groups, in address order. */
  public readonly groups: CiliumCidrGroup[];
  /** The CiliumClusterwideNetworkPolicy (escape hatch: `ApiObject.of(block.policy).addJsonPatch(...)`). */
  public readonly policy: CiliumClusterwideNetworkPolicy;
  /** The aggregated block list (after `except`). */
  public readonly cidrs: CidrSet;
  public readonly reference: CidrGroupReference;
  /** Labels on the policy and every group: the user's, plus the owner label. */
  public readonly labels: Record<string, string>;

  public constructor(scope: Construct, id: string, props: CiliumEgressBlockProps) {
    super(scope, id);
    const who = `CiliumEgressBlock '${props.name}'`;
    const target = Target.of(this);
    target.requireProduct(Product.CILIUM, who);
    target.require(Feature.CILIUM_EGRESS_CIDR_GROUP_REF, who);
    target.require(Feature.CILIUM_ENABLE_DEFAULT_DENY, who);
    const owner = ownerLabels(who, props.name, props.labels);
    this.labels = { ...(props.labels ?? { policy: props.name }), ...owner };
    this.reference = props.reference ?? CidrGroupReference.REF;
    if (this.reference === CidrGroupReference.SELECTOR) target.require(Feature.CILIUM_CIDR_GROUP_SELECTOR, `${who}: reference: selector`);
    this.cidrs = resolveBlockList(this, who, target, props);

    const apiVersion = CiliumCidrGroup.apiVersionFor(target);
    const shards = shardBlockList(this.cidrs, props.name, props.applyMode ?? target.applyMode, (name) => ({
      apiVersion,
      kind: 'CiliumCIDRGroup',
      metadata: { name, labels: this.labels },
      spec: { externalCIDRs: [] },
    }));
    this.groups = shards.map(
      ({ name, shard }) => new CiliumCidrGroup(this, shard.id, { name, cidrs: shard.prefixes, labels: this.labels, canonical: true }),
    );

    this.policy = new CiliumClusterwideNetworkPolicy(this, 'Policy', {
      name: props.name,
      endpointSelector: props.endpointSelector,
      egressDefault: PolicyDefault.ALLOW,
      // Only deny rules: the pods keep their DNS path, nothing to add.
      dns: DnsAccess.MANUAL,
    });
    this.policy.denyEgress({ to: this.reference === CidrGroupReference.SELECTOR ? [Peer.cidrGroupSelector(owner)] : this.groups.map((g) => Peer.cidrGroup(g.name)) });
    const metadata = ApiObject.of(this.policy).metadata;
    for (const [k, v] of Object.entries(this.labels)) metadata.addLabel(k, v);
  }
}
