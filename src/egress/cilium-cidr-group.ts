import { ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct } from 'constructs';
import { toCidrSet } from '../cidr/aggregate.js';
import { NetsecError } from '../core/errors.js';
import { Feature } from '../core/features.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { OWNER_LABEL, ResourceMetadataProps, checkLabels, checkResourceMetadata, mergeMetadataLabels } from '../core/resource-metadata.js';
import { CidrListObject } from './cidr-list-object.js';
import { requireRecord } from '../core/arguments.js';

/** Properties for `CiliumCidrGroup`. */
export interface CiliumCidrGroupProps {
  /** `metadata.name` of the CiliumCIDRGroup. */
  readonly name: string;
  /**
   * The group's CIDRs, already canonical (as a shard or an aggregated set gives them), or any prefixes, which are parsed
   * strictly and aggregated.
   */
  readonly cidrs: readonly string[];
  /**
   * Labels, e.g. for `cidrGroupSelector` or Hubble metadata. Not the egress blocks' owner label `netsec.io/egress-block`:
   * a block selects its groups by it, so this group's CIDRs would be denied with the block's.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Labels and annotations of the CiliumCIDRGroup (e.g. `argocd.argoproj.io/sync-wave`). `metadata.labels` are merged
   * with `labels`: a key in both must have the same value (a different one is refused). Keys under `netsec.io/` are refused.
   * @default - no annotations, only `labels`
   */
  readonly metadata?: ResourceMetadataProps;
  /** Whether `cidrs` are already canonical and aggregated (skips re-parsing a million prefixes). @default false */
  readonly canonical?: boolean;
  /** Accept an empty group. @default false (an empty CIDR group once opened a host firewall, cilium#25122) */
  readonly allowEmpty?: boolean;
}

/**
 * A `CiliumCIDRGroup`: a named set of world CIDRs. On its own it only labels those IPs (Hubble shows the group's labels
 * on flows to them, as the bundled example's `azure-imds` group does); policies reference it with `cidrGroupRef` or
 * `cidrGroupSelector`. The apiVersion follows the target: `cilium.io/v2alpha1` below Cilium 1.18, `cilium.io/v2` from 1.18.
 */
export class CiliumCidrGroup extends Construct {
  /** The CiliumCIDRGroup apiVersion a target serves: `cilium.io/v2` from Cilium 1.18, `cilium.io/v2alpha1` before. */
  public static apiVersionFor(target: Target): string {
    return target.has(Feature.CILIUM_CIDR_GROUP_V2) ? 'cilium.io/v2' : 'cilium.io/v2alpha1';
  }

  /** The rendered object (escape hatch: `ApiObject.of(group.resource).addJsonPatch(...)`, metadata only). */
  public readonly resource: CidrListObject;
  public readonly name: string;
  public readonly apiVersion: string;
  /** The CIDRs as emitted: canonical and aggregated. */
  public readonly cidrs: readonly string[];
  /** The CiliumCIDRGroup's metadata, as cdk8s-plus exposes it: `group.metadata.addLabel(...)`, `addAnnotation(...)`. */
  public readonly metadata: ApiObjectMetadataDefinition;

  public constructor(scope: Construct, id: string, props: CiliumCidrGroupProps) {
    super(scope, id);
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    requireRecord(`CiliumCidrGroup '${this.node.path}'`, 'props', props);
    const who = `CiliumCidrGroup '${props.name}'`;
    const target = Target.of(this);
    target.requireProduct(Product.CILIUM, who);
    this.name = props.name;
    if (props.labels && OWNER_LABEL in props.labels) {
      throw new NetsecError('INVALID', `${who}: labels sets '${OWNER_LABEL}', the label by which the CiliumEgressBlock of that name selects its own groups (reference: selector), so this group's CIDRs would be denied with the block's; remove it from labels (a block sets it on the groups it creates).`);
    }
    const extra = checkResourceMetadata(who, props.metadata);
    const labels = mergeMetadataLabels(who, checkLabels(who, 'labels', props.labels) ?? {}, extra.labels, "'labels'");
    this.cidrs = props.canonical ? props.cidrs : toCidrSet(props.cidrs, { source: who }).toStrings();
    if (this.cidrs.length === 0 && !props.allowEmpty) {
      throw new NetsecError('INVALID', `${who}: externalCIDRs is empty; expected at least one CIDR (an empty CIDR group has opened a host firewall, cilium#25122; set allowEmpty to accept it).`);
    }
    this.apiVersion = CiliumCidrGroup.apiVersionFor(target);
    this.resource = new CidrListObject(this, 'Resource', {
      apiVersion: this.apiVersion,
      kind: 'CiliumCIDRGroup',
      metadata: {
        name: props.name,
        ...(Object.keys(labels).length ? { labels } : {}),
        ...(Object.keys(extra.annotations).length ? { annotations: { ...extra.annotations } } : {}),
      },
      spec: { externalCIDRs: this.cidrs },
    });
    this.metadata = this.resource.metadata;
  }
}
