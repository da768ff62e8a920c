// Kubernetes NetworkPolicy (networking.k8s.io/v1) as the CNIs enforce it (domain-notes §C.4; kubernetes/website
// network-policies.md): a pod is isolated for a direction when a policy selecting it lists that direction; what is
// allowed is the union of the rules; `from`/`to` absent or empty means every peer, `ports` absent or empty every port.

import { Cidr } from '../cidr/cidr.js';
import { WireSelector, selectorMatches } from '../lint/selectors.js';
import type { KubeObject } from './cilium.js';
import { ClusterIndex } from './cluster.js';
import { ClusterPod, FlowProtocol } from './model.js';

/** Whether an object is a Kubernetes NetworkPolicy (Calico has a `NetworkPolicy` kind too, in its own group). */
export function isKubernetesNetworkPolicy(o: KubeObject): boolean {
  return o.kind === 'NetworkPolicy' && String(o.apiVersion ?? '').startsWith('networking.k8s.io/');
}

/** Whether the policy's `podSelector` selects the pod (in the policy's namespace). */
export function knpSelects(o: KubeObject, pod: ClusterPod): boolean {
  return pod.namespace === (o.metadata.namespace ?? 'default') && !pod.hostNetwork && selectorMatches((o.spec?.podSelector ?? {}) as WireSelector, pod.labels);
}

/** `policyTypes`, or the API server's default: Ingress always, Egress when the policy has egress rules. */
export function knpTypes(o: KubeObject): ('ingress' | 'egress')[] {
  const types: unknown = o.spec?.policyTypes;
  if (Array.isArray(types) && types.length) return types.map((t) => String(t).toLowerCase()).filter((t): t is 'ingress' | 'egress' => t === 'ingress' || t === 'egress');
  return Array.isArray(o.spec?.egress) ? ['ingress', 'egress'] : ['ingress'];
}

/** The other end of a packet as a NetworkPolicy rule sees it. */
export interface KnpPeer {
  readonly ip: string;
  /** The pod with that address, when it is one (not on the host network). */
  readonly pod?: ClusterPod;
}

/** The L4 part of a packet, with the pod it is addressed to (named ports resolve against it). */
export interface KnpPort {
  readonly port: number;
  readonly protocol: FlowProtocol;
  readonly destinationPod?: ClusterPod;
}

/**
 * Whether one rule (`spec.ingress[i]` or `spec.egress[i]`) admits the packet. `ipBlockMatchesPods`: Cilium never matches
 * a CIDR against a pod's identity; Calico matches addresses whatever they belong to.
 */
export function knpRuleMatches(index: ClusterIndex, o: KubeObject, rule: any, direction: 'ingress' | 'egress', peer: KnpPeer, l4: KnpPort, ipBlockMatchesPods: boolean): boolean {
  const peers: any[] | undefined = rule?.[direction === 'ingress' ? 'from' : 'to'];
  const ports: any[] | undefined = rule?.ports;
  const peerOk = !Array.isArray(peers) || peers.length === 0 || peers.some((p) => knpPeerMatches(index, o, p ?? {}, peer, ipBlockMatchesPods));
  return peerOk && (!Array.isArray(ports) || ports.length === 0 || ports.some((p) => knpPortMatches(p ?? {}, l4)));
}

function knpPeerMatches(index: ClusterIndex, o: KubeObject, p: any, peer: KnpPeer, ipBlockMatchesPods: boolean): boolean {
  if (p.ipBlock) {
    if (peer.pod && !ipBlockMatchesPods) return false;
    const addr = parse(peer.ip);
    const cidr = parse(String(p.ipBlock.cidr));
    if (!addr || !cidr?.contains(addr)) return false;
    return !(Array.isArray(p.ipBlock.except) ? p.ipBlock.except : []).some((e: unknown) => parse(String(e))?.contains(addr));
  }
  if (!peer.pod) return false;
  if (p.namespaceSelector) {
    if (!selectorMatches(p.namespaceSelector, index.namespaceLabels(peer.pod.namespace))) return false;
  } else if (peer.pod.namespace !== (o.metadata.namespace ?? 'default')) {
    return false;
  }
  return p.podSelector ? selectorMatches(p.podSelector, peer.pod.labels) : true;
}

function knpPortMatches(p: any, l4: KnpPort): boolean {
  if (l4.protocol !== String(p.protocol ?? 'TCP')) return false;
  if (p.port === undefined || p.port === null) return true;
  if (typeof p.port === 'number' || /^\d+$/.test(String(p.port))) {
    const start = Number(p.port);
    const end = typeof p.endPort === 'number' && p.endPort >= start ? p.endPort : start;
    return l4.port >= start && l4.port <= end;
  }
  const named = l4.destinationPod?.ports.find((c) => c.name === p.port && c.protocol === l4.protocol);
  return named !== undefined && named.containerPort === l4.port;
}

function parse(text: string): Cidr | undefined {
  try {
    return Cidr.parse(text, { lenient: true });
  } catch {
    return undefined;
  }
}
