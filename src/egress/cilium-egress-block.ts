import { Construct } from 'constructs';
import { addNote } from '../core/diagnostics.js';
import { CidrSet } from '../cidr/cidr-set.js';
import { Feature } from '../core/features.js';
import { ResourceMetadataProps, checkResourceMetadata, mergeMetadataLabels } from '../core/resource-metadata.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { CiliumClusterwideNetworkPolicy } from '../cilium/cilium-clusterwide-network-policy.js';
import { Peer } from '../cilium/peers.js';
import { DnsAccess, PolicyDefault } from '../cilium/policy-base.js';
import { EndpointSelector } from '../cilium/selectors.js';
import { OWNER_LABEL } from '../core/resource-metadata.js';
import { BlockListProps, blockLabelsSource, ownerLabels, resolveBlockList, shardBlockList } from './block-list.js';
import { CiliumCidrGroup } from './cilium-cidr-group.js';
import { requireRecord } from '../core/arguments.js';

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
  /**
   * Labels and annotations of every object the block renders (the policy and each CIDR group), e.g.
   * `argocd.argoproj.io/sync-wave`. `metadata.labels` are merged with the block's `labels`: a key in both must have the
   * same value. Keys under `netsec.io/` are refused (the owner label is the block's `name`). Counted in each group's
   * size budget when the list is sharded.
   * @default - no annotations, only the block's labels
   */
  readonly metadata?: ResourceMetadataProps;
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
  /** Labels on the policy and every group: the user's (`labels` and `metadata.labels`), plus the owner label. */
  public readonly labels: Record<string, string>;
  /** Annotations on the policy and every group (`metadata.annotations`). */
  public readonly annotations: Record<string, string>;

  public constructor(scope: Construct, id: string, props: CiliumEgressBlockProps) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`CiliumEgressBlock '${this.node.path}'`, 'props', props);
    const who = `CiliumEgressBlock '${props.name}'`;
    const target = Target.of(this);
    target.requireProduct(Product.CILIUM, who);
    target.require(Feature.CILIUM_EGRESS_CIDR_GROUP_REF, who);
    target.require(Feature.CILIUM_ENABLE_DEFAULT_DENY, who);
    const owner = ownerLabels(who, props.name, props.labels);
    const extra = checkResourceMetadata(who, props.metadata);
    const labels = mergeMetadataLabels(who, props.labels ?? { policy: props.name }, extra.labels, blockLabelsSource(props.labels));
    this.labels = { ...labels, ...owner };
    this.annotations = { ...extra.annotations };
    const annotations = Object.keys(this.annotations).length ? { annotations: this.annotations } : {};
    this.reference = props.reference ?? CidrGroupReference.REF;
    if (this.reference === CidrGroupReference.SELECTOR) target.require(Feature.CILIUM_CIDR_GROUP_SELECTOR, `${who}: reference: selector`);
    this.cidrs = resolveBlockList(this, who, target, props);

    const apiVersion = CiliumCidrGroup.apiVersionFor(target);
    const shards = shardBlockList(this.cidrs, props.name, props.applyMode ?? target.applyMode, (name) => ({
      apiVersion,
      kind: 'CiliumCIDRGroup',
      metadata: { name, labels: this.labels, ...annotations },
      spec: { externalCIDRs: [] },
    }));
    // An empty list (accepted with allowEmpty) has no shard: it is one empty group, which the deny rule references and
    // which blocks nothing. Without it the rule had `to: []`, refused by lint with advice that would deny all egress.
    const parts = shards.length ? shards.map(({ name, shard }) => ({ id: shard.id, name, prefixes: shard.prefixes })) : [{ id: 'Empty', name: props.name, prefixes: [] as readonly string[] }];
    if (!shards.length) addNote(this, `${who}: the block list is empty (allowEmpty): one empty CiliumCIDRGroup '${props.name}', so nothing is blocked until the list has prefixes.`);
    this.groups = parts.map(({ id, name, prefixes }) => {
      // The owner label is added after: CiliumCidrGroup refuses it in `labels` (where a user could set it).
      const group = new CiliumCidrGroup(this, id, { name, cidrs: prefixes, labels, metadata: { annotations: this.annotations }, canonical: true, allowEmpty: prefixes.length === 0 });
      group.metadata.addLabel(OWNER_LABEL, props.name);
      return group;
    });

    this.policy = new CiliumClusterwideNetworkPolicy(this, 'Policy', {
      name: props.name,
      endpointSelector: props.endpointSelector,
      egressDefault: PolicyDefault.ALLOW,
      // Only deny rules: the pods keep their DNS path, nothing to add.
      dns: DnsAccess.MANUAL,
      metadata: { annotations: this.annotations },
    });
    this.policy.denyEgress({ to: this.reference === CidrGroupReference.SELECTOR ? [Peer.cidrGroupSelector(owner)] : this.groups.map((g) => Peer.cidrGroup(g.name)) });
    // Added here, not through the policy's own metadata prop: they include the owner label, which the prop refuses.
    for (const [k, v] of Object.entries(this.labels)) this.policy.metadata.addLabel(k, v);
  }
}
