import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CidrSet } from '../cidr/cidr-set.js';
import { addWarning } from '../core/diagnostics.js';
import { Feature } from '../core/features.js';
import { Target } from '../core/target.js';
import { Product } from '../core/versions.js';
import { BlockListProps, resolveBlockList, shardBlockList } from './block-list.js';
import { CiliumCidrGroup } from './cilium-cidr-group.js';

/** How the policy points at its CIDR groups. */
export enum CidrGroupReference {
  /** `cidrGroupSelector` by label when the target has it (Cilium 1.17+) and that is shorter than listing the groups. */
  AUTO = 'auto',
  /** One `cidrGroupRef` per group (every supported Cilium line). */
  REF = 'ref',
  /** One `cidrGroupSelector` on the groups' labels (Cilium 1.17+). */
  SELECTOR = 'selector',
}

/** A Kubernetes label selector in its wire form, as `endpointSelector` takes it. */
export interface LabelSelectorSpec {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: string[] }[];
}

/** Properties for `CiliumEgressBlock`. */
export interface CiliumEgressBlockProps extends BlockListProps {
  /** Name of the CiliumClusterwideNetworkPolicy and base name of its CiliumCIDRGroups. */
  readonly name: string;
  /** Endpoints whose egress is blocked. @default {} (every endpoint in the cluster) */
  readonly endpointSelector?: LabelSelectorSpec;
  /** Labels on the policy and the groups; the groups are selected by them. @default { policy: <name> } */
  readonly labels?: Record<string, string>;
  /** How the policy references the groups. @default CidrGroupReference.AUTO */
  readonly reference?: CidrGroupReference;
}

/**
 * Blocks egress to a list of CIDRs on Cilium: the list is aggregated, sharded into `CiliumCIDRGroup`s under the
 * object-size budget of the apply mode, and denied by one `CiliumClusterwideNetworkPolicy` with
 * `egressDeny: [{toCIDRSet: [...]}]` and `enableDefaultDeny: {egress: false}` (without it, a deny-only policy puts
 * every selected pod into egress default-deny: version-facts finding 1).
 */
export class CiliumEgressBlock extends Construct {
  /** The CIDR groups, in address order. */
  public readonly groups: CiliumCidrGroup[];
  /** The CiliumClusterwideNetworkPolicy (escape hatch: `ApiObject.of(block.policy).addJsonPatch(...)`). */
  public readonly policy: ApiObject;
  /** The aggregated block list (after `except`). */
  public readonly cidrs: CidrSet;
  /** The reference style used, resolved from `reference`. */
  public readonly reference: CidrGroupReference.REF | CidrGroupReference.SELECTOR;
  public readonly labels: Record<string, string>;

  public constructor(scope: Construct, id: string, props: CiliumEgressBlockProps) {
    super(scope, id);
    const who = `CiliumEgressBlock '${props.name}'`;
    const target = Target.of(this);
    target.requireProduct(Product.CILIUM, who);
    target.require(Feature.CILIUM_EGRESS_CIDR_GROUP_REF, who);
    target.require(Feature.CILIUM_ENABLE_DEFAULT_DENY, who);
    this.labels = props.labels ?? { policy: props.name };
    this.cidrs = resolveBlockList(who, target, props);

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

    const selector = { cidrGroupSelector: { matchLabels: this.labels } };
    const refs = this.groups.map((g) => ({ cidrGroupRef: g.name }));
    const wanted = props.reference ?? CidrGroupReference.AUTO;
    if (wanted === CidrGroupReference.SELECTOR) target.require(Feature.CILIUM_CIDR_GROUP_SELECTOR, who);
    const selectorIsShorter = JSON.stringify([selector]).length < JSON.stringify(refs).length;
    this.reference =
      wanted === CidrGroupReference.SELECTOR || (wanted === CidrGroupReference.AUTO && target.has(Feature.CILIUM_CIDR_GROUP_SELECTOR) && selectorIsShorter)
        ? CidrGroupReference.SELECTOR
        : CidrGroupReference.REF;

    if (!target.has(Feature.CILIUM_CIDR_GROUP_SINGLE_IDENTITY)) {
      addWarning(
        this,
        `${who}: Cilium ${target.version(Product.CILIUM)} allocates one security identity per CIDR in a CiliumCIDRGroup (one per group only from Cilium 1.17): this block costs ${this.cidrs.size} identities.`,
      );
    }

    this.policy = new ApiObject(this, 'Resource', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: props.name, labels: this.labels },
      spec: {
        endpointSelector: props.endpointSelector ?? {},
        enableDefaultDeny: { egress: false },
        egressDeny: [{ toCIDRSet: this.reference === CidrGroupReference.SELECTOR ? [selector] : refs }],
      },
    });
  }
}
