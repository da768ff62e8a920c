import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as l1 from '../../imports/cilium.io.js';
import { applyResourceMetadata } from '../core/resource-metadata.js';
import { CiliumPolicyBase, CiliumPolicyBaseProps } from './policy-base.js';

/** Properties for `CiliumClusterwideNetworkPolicy`. */
export interface CiliumClusterwideNetworkPolicyProps extends CiliumPolicyBaseProps {}

/**
 * A cluster-scoped `CiliumClusterwideNetworkPolicy` (`cilium.io/v2`). Its `endpointSelector` selects pods of every
 * namespace (kube-system included); peers must name their namespaces (`Peer.podsInNamespace()`,
 * `Peer.podsInAllNamespaces()`).
 *
 * @example
 * // An egress block list: deny the group, leave all other egress alone (Cilium 1.16+).
 * new CiliumClusterwideNetworkPolicy(chart, 'GeoBlock', { egressDefault: PolicyDefault.ALLOW })
 *   .denyEgress({ to: [Peer.cidrGroup('geo-blocked')] });
 */
export class CiliumClusterwideNetworkPolicy extends CiliumPolicyBase {
  protected readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: CiliumClusterwideNetworkPolicyProps = {}) {
    super(scope, id, props, 'CiliumClusterwideNetworkPolicy', undefined);
    this.apiObject = new l1.CiliumClusterwideNetworkPolicy(this, 'Resource', {
      metadata: { name: this.name },
      spec: Lazy.any({ produce: () => this._toKube() }),
    });
    applyResourceMetadata(this.who, props.metadata, [this.apiObject]);
  }
}
