import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as l1 from '../../imports/cilium.io.js';
import { NetsecError } from '../core/errors.js';
import { applyResourceMetadata } from '../core/resource-metadata.js';
import { CiliumPolicyBase, CiliumPolicyBaseProps } from './policy-base.js';
import { POD_NAMESPACE_LABEL } from './selectors.js';
import { requireRecord } from '../core/arguments.js';

/** Properties for `CiliumNetworkPolicy`. */
export interface CiliumNetworkPolicyProps extends CiliumPolicyBaseProps {
  /**
   * The namespace the policy lives in. Its `endpointSelector` selects pods of this namespace only, and so do peers
   * made with `Peer.podsInPolicyNamespace()`.
   * @default 'default'
   */
  readonly namespace?: string;
}

/**
 * A namespaced `CiliumNetworkPolicy` (`cilium.io/v2`) with typed rules.
 *
 * @example
 * const policy = new CiliumNetworkPolicy(chart, 'SecureWorkload', {
 *   namespace: 'default',
 *   endpointSelector: EndpointSelector.labels({ app: 'critical-workload' }),
 * });
 * policy.allowEgress({ to: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
 * // netsec adds the DNS rule to kube-dns (and node-local-dns when the cache is on).
 */
export class CiliumNetworkPolicy extends CiliumPolicyBase {
  /** The namespace. */
  public readonly namespace: string;
  protected readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: CiliumNetworkPolicyProps = {}) {
    // A JavaScript caller's null or number as props had failed inside with a TypeError.
    const namespace = (requireRecord('CiliumNetworkPolicy', 'props', props) as CiliumNetworkPolicyProps).namespace ?? 'default';
    super(scope, id, props, 'CiliumNetworkPolicy', namespace);
    this.namespace = namespace;
    const pinned = this.endpointSelector.valueOf(POD_NAMESPACE_LABEL);
    if (pinned !== undefined && pinned !== namespace) {
      throw new NetsecError('INVALID', `${this.who}: the endpointSelector names namespace '${pinned}', but a CiliumNetworkPolicy selects pods of its own namespace '${namespace}' only (Cilium drops the mismatching match with a warning). Create the policy in '${pinned}' instead.`);
    }
    this.apiObject = new l1.CiliumNetworkPolicy(this, 'Resource', {
      metadata: { name: this.name, namespace },
      spec: Lazy.any({ produce: () => this._toKube() }),
    });
    applyResourceMetadata(this.who, props.metadata, [this.apiObject]);
  }
}
