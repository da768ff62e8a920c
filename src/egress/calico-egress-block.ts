import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CidrSet } from '../cidr/cidr-set.js';
import { addNote } from '../core/diagnostics.js';
import { Feature } from '../core/features.js';
import { ResourceMetadataProps, applyResourceMetadata, checkResourceMetadata, mergeMetadataLabels } from '../core/resource-metadata.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { suppressRules } from '../lint/suppressions.js';
import { BlockListProps, blockLabelsSource, ownerLabels, resolveBlockList, shardBlockList } from './block-list.js';
import { CidrListObject } from './cidr-list-object.js';
import { requireRecord } from '../core/arguments.js';
import { NetsecError } from '../core/errors.js';

/** Where the blocking policy lives. */
export enum CalicoBlockDesign {
  /**
   * A tier ordered before `default` holds the blocking policy: `Log`, `Deny`, then `Pass` to the next tier, so
   * Kubernetes NetworkPolicies keep working. Needs Calico 3.30 (tiers); the default there.
   */
  TIERED = 'tiered',
  /**
   * The design of hand-written Calico geo-blocks: a blocking policy at order 0 and an allow-all policy at order 1000 in the `default` tier. The
   * allow-all policy overrides Kubernetes NetworkPolicy egress isolation: lint rule calico/default-tier-allow-overrides-knp
   * warns below 3.30 and refuses it from 3.30 (where the tiered design exists) unless suppressed with a reason. The
   * default below 3.30.
   */
  DEFAULT_TIER = 'default-tier',
}

/** Which Calico API the objects use. */
export enum CalicoApi {
  /** `crd.projectcalico.org/v1`, the storage CRDs every Calico line serves. */
  CRD_V1 = 'crd.projectcalico.org/v1',
  /** Native `projectcalico.org/v3` CRDs (Calico 3.32+, tech preview). */
  V3 = 'projectcalico.org/v3',
}

/** Properties for `CalicoEgressBlock`. */
export interface CalicoEgressBlockProps extends BlockListProps {
  /** Name of the blocking GlobalNetworkPolicy and base name of its GlobalNetworkSets. A DNS-1123 label. */
  readonly name: string;
  /** Extra labels on the network sets and the policies; the owner label the policy selects the sets by is always added. @default { policy: <name> } (as hand-written geo-block manifests label them) */
  readonly labels?: Record<string, string>;
  /**
   * The endpoints whose egress is blocked, as a Calico selector (`app == 'legacy'`, `projectcalico.org/namespace in
   * {'a', 'b'}`); `EgressEndpoints.toCalicoSelector()` converts a Kubernetes label selector.
   * @default 'all()' (every workload and host endpoint the policy applies to)
   */
  readonly endpointSelector?: string;
  /** Log blocked packets (a `Log` rule before the `Deny`). @default true */
  readonly log?: boolean;
  /** @default CalicoBlockDesign.TIERED where the target has tiers (Calico 3.30+), else DEFAULT_TIER */
  readonly design?: CalicoBlockDesign;
  /** The tier of the TIERED design. @default { name: 'egress-blocking', order: 100 } */
  readonly tier?: { readonly name?: string; readonly order?: number };
  /** Name of the allow-all policy of the DEFAULT_TIER design. @default '<name>-allow' */
  readonly allowPolicyName?: string;
  /** @default CalicoApi.CRD_V1 */
  readonly api?: CalicoApi;
  /**
   * Labels and annotations of every object the block renders: the network sets, the blocking policy, and the tier or
   * the allow-all policy of the design (e.g. `argocd.argoproj.io/sync-wave`). `metadata.labels` are merged with the
   * block's `labels`: a key in both must have the same value, as must a label the allow-all policy carries itself
   * (`policy: <allowPolicyName>`). Keys under `netsec.io/` are refused (the owner label is the block's `name`).
   * Counted in each network set's size budget when the list is sharded.
   * @default - no annotations, only the block's labels
   */
  readonly metadata?: ResourceMetadataProps;
}

/**
 * Blocks egress to a list of CIDRs on Calico: the list is aggregated and sharded into `GlobalNetworkSet`s (labelled
 * for selection, one IP family each, so no rule hits the 256-`nets` or mixed-family limits), and a
 * `GlobalNetworkPolicy` with `Log` then `Deny` on the sets' selector, in the design the target supports.
 */
export class CalicoEgressBlock extends Construct {
  /** The network sets, in address order. */
  public readonly networkSets: CidrListObject[];
  /** The blocking policy. */
  public readonly policy: ApiObject;
  /** The allow-all policy of the DEFAULT_TIER design. */
  public readonly allowPolicy?: ApiObject;
  /** The tier of the TIERED design; blocks of one chart that name the same tier share it (the first block renders it). */
  public readonly tier?: ApiObject;
  /** The name and order of the tier of the TIERED design. */
  public readonly tierSpec?: { readonly name: string; readonly order: number };
  public readonly design: CalicoBlockDesign;
  public readonly api: CalicoApi;
  public readonly cidrs: CidrSet;
  /** Labels on the network sets and the blocking policy: the user's (`labels` and `metadata.labels`), plus the owner label. */
  public readonly labels: Record<string, string>;
  /** Annotations on every object of the block (`metadata.annotations`). */
  public readonly annotations: Record<string, string>;
  /** The Calico selector matching this block's network sets: its owner label, e.g. `netsec.io/egress-block == 'geo'`. */
  public readonly selector: string;
  /** The Calico selector of the endpoints whose egress is blocked. */
  public readonly endpointSelector: string;

  public constructor(scope: Construct, id: string, props: CalicoEgressBlockProps) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`CalicoEgressBlock '${this.node.path}'`, 'props', props);
    const who = `CalicoEgressBlock '${props.name}'`;
    const target = Target.of(this);
    target.requireProduct(Product.CALICO, who);
    this.api = props.api ?? CalicoApi.CRD_V1;
    if (this.api === CalicoApi.V3) target.require(Feature.CALICO_NATIVE_V3_CRDS, who);
    this.design = props.design ?? (target.has(Feature.CALICO_TIERS) ? CalicoBlockDesign.TIERED : CalicoBlockDesign.DEFAULT_TIER);
    if (this.design === CalicoBlockDesign.TIERED) target.require(Feature.CALICO_TIERS, who);
    const owner = ownerLabels(who, props.name, props.labels);
    const extra = checkResourceMetadata(who, props.metadata);
    this.labels = { ...mergeMetadataLabels(who, props.labels ?? { policy: props.name }, extra.labels, blockLabelsSource(props.labels)), ...owner };
    this.annotations = { ...extra.annotations };
    const annotations = Object.keys(this.annotations).length ? { annotations: this.annotations } : {};
    this.selector = Object.entries(owner).map(([k, v]) => `${k} == '${v}'`).join(' && ');
    this.endpointSelector = props.endpointSelector ?? 'all()';
    // Omitted means all() in Calico; written only when the user scoped the block, as hand-written manifests do.
    const scoped = props.endpointSelector !== undefined ? { selector: this.endpointSelector } : {};
    this.cidrs = resolveBlockList(this, who, target, props);

    const apiVersion = this.api;
    const shards = shardBlockList(this.cidrs, props.name, props.applyMode ?? target.applyMode, (name) => ({
      apiVersion,
      kind: 'GlobalNetworkSet',
      metadata: { name, labels: this.labels, ...annotations },
      spec: { nets: [] },
    }));
    this.networkSets = shards.map(
      ({ name, shard }) =>
        new CidrListObject(this, shard.id, { apiVersion, kind: 'GlobalNetworkSet', metadata: { name, labels: this.labels, ...annotations }, spec: { nets: shard.prefixes } }),
    );

    const log = props.log ?? true;
    const destination = { selector: this.selector };
    const blockRules = [...(log ? [{ action: 'Log', destination }] : []), { action: 'Deny', destination }];

    if (this.design === CalicoBlockDesign.TIERED) {
      const tierName = props.tier?.name ?? 'egress-blocking';
      const order = props.tier?.order ?? 100;
      this.tierSpec = { name: tierName, order };
      // Two blocks on one target both wrote Tier 'egress-blocking' and were refused as one object twice: blocks that
      // name the same tier share it, and so must agree on its order.
      const sharing = Chart.of(this).node.findAll().find((c): c is CalicoEgressBlock => c instanceof CalicoEgressBlock && c !== this && c.tierSpec?.name === tierName && c.tier !== undefined);
      if (sharing && sharing.tierSpec!.order !== order) {
        throw new NetsecError('CONFIG', `${who}: tier '${tierName}' is also the tier of the block written before it, with order ${sharing.tierSpec!.order}; blocks that share a tier share its order. Give this block order ${sharing.tierSpec!.order} (calico.tier.order), or a tier of its own (calico.tier.name).`);
      }
      this.tier = sharing?.tier ?? new ApiObject(this, 'Tier', {
        apiVersion,
        kind: 'Tier',
        metadata: { name: tierName },
        // Pass: what this tier does not deny goes on to the next tiers (and Kubernetes NetworkPolicies in `default`).
        spec: { order, defaultAction: 'Pass' },
      });
      this.policy = new ApiObject(this, 'Resource', {
        apiVersion,
        kind: 'GlobalNetworkPolicy',
        metadata: { name: `${tierName}.${props.name}`, labels: this.labels, ...annotations },
        spec: { tier: tierName, order: 0, ...scoped, types: ['Egress'], egress: [...blockRules, { action: 'Pass' }] },
      });
      // On a shared tier too: a label or annotation the other block set differently is refused there.
      applyResourceMetadata(who, extra, [this.tier]);
      addNote(this, `${who}: tier '${tierName}' (order ${order}${sharing ? ', shared with the block written before it' : ''}) denies the blocked CIDRs and passes all other egress on to the next tiers, so Kubernetes NetworkPolicies in the default tier still apply.`);
    } else {
      this.policy = new ApiObject(this, 'Resource', {
        apiVersion,
        kind: 'GlobalNetworkPolicy',
        metadata: { name: props.name, labels: this.labels, ...annotations },
        spec: { order: 0, ...scoped, types: ['Egress'], egress: blockRules },
      });
      const allowName = props.allowPolicyName ?? `${props.name}-allow`;
      this.allowPolicy = new ApiObject(this, 'Allow', {
        apiVersion,
        kind: 'GlobalNetworkPolicy',
        metadata: { name: allowName, labels: { policy: allowName } },
        spec: { order: 1000, ...scoped, types: ['Egress'], egress: [{ action: 'Allow' }] },
      });
      applyResourceMetadata(who, extra, [this.allowPolicy]);
      // What the allow-all policy overrides is calico/default-tier-allow-overrides-knp's finding (an error where tiers
      // exist, a warning below 3.30), reported by lint on this object like on any hand-written one.
    }

    if (log) {
      addNote(
        this,
        `${who}: Log rules write to the node's kernel log / syslog (prefix calico-packet) on the iptables and nftables dataplanes, not to pod logs; the eBPF dataplane logs to the BPF trace pipe (kernel 5.16+)` +
          (target.has(Feature.CALICO_EBPF_LOG) ? '.' : ` and supports Log only from Calico 3.29; this target runs Calico ${target.version(Product.CALICO)}.`),
      );
    }
    if (this.api === CalicoApi.CRD_V1) {
      // The finding is listed in the output header as suppressed, with this reason; calico/ipset-size judges the sets' size.
      suppressRules(this, [{ id: 'calico/crd-v1-bypasses-validation', reason: "netsec writes every field explicitly (types, order), and lint re-checks Calico's validator rules on these objects" }]);
    }
  }
}
