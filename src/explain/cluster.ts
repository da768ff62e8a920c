import { Cidr } from '../cidr/cidr.js';
import { CidrSet } from '../cidr/cidr-set.js';
import { Cluster, ClusterNode, ClusterPod, ClusterService, Labels } from './model.js';
import { own } from '../core/own.js';

/** The Cilium cluster name pods carry as `io.cilium.k8s.policy.cluster` (Helm `cluster.name` default). */
export const DEFAULT_CLUSTER_NAME = 'default';

/**
 * What the datapath knows about an address, relative to the endpoint judging it (domain-notes §C.1.1): a managed pod,
 * the local host (its node, or a hostNetwork pod on it), another node, or the world. Any of the last three may also be
 * the kube-apiserver.
 */
export type Identity =
  | { readonly kind: 'pod'; readonly ip: string; readonly pod: ClusterPod; readonly labels: Labels }
  | { readonly kind: 'host' | 'remote-node'; readonly ip: string; readonly node?: ClusterNode; readonly apiServer: boolean }
  | { readonly kind: 'world'; readonly ip: string; readonly apiServer: boolean };

/** Lookups over a scenario's cluster, built once per evaluation. */
export class ClusterIndex {
  private readonly podsByIp = new Map<string, ClusterPod>();
  private readonly nodesByIp = new Map<string, ClusterNode>();

  public constructor(public readonly cluster: Cluster) {
    for (const p of cluster.pods) if (!p.hostNetwork) this.podsByIp.set(p.ip, p);
    for (const n of cluster.nodes) this.nodesByIp.set(n.ip, n);
  }

  public pod(id: string): ClusterPod | undefined {
    return this.cluster.pods.find((p) => `${p.namespace}/${p.name}` === id);
  }

  public node(name: string): ClusterNode | undefined {
    return this.cluster.nodes.find((n) => n.name === name);
  }

  public service(id: string): ClusterService | undefined {
    return this.cluster.services.find((s) => `${s.namespace}/${s.name}` === id);
  }

  public serviceByIp(ip: string): ClusterService | undefined {
    return this.cluster.services.find((s) => s.clusterIP === ip);
  }

  public namespaceLabels(name: string): Labels {
    return this.cluster.namespaces.find((n) => n.name === name)?.labels ?? { 'kubernetes.io/metadata.name': name };
  }

  /** The labels Cilium gives a pod's identity (source prefixes dropped: selectors match them regardless of source). */
  public podLabels(pod: ClusterPod): Labels {
    const labels: Record<string, string> = { ...pod.labels };
    for (const [k, v] of Object.entries(this.namespaceLabels(pod.namespace))) labels[`io.cilium.k8s.namespace.labels.${k}`] = v;
    labels['io.kubernetes.pod.namespace'] = pod.namespace;
    labels['io.cilium.k8s.policy.serviceaccount'] = pod.serviceAccount;
    labels['io.cilium.k8s.policy.cluster'] = DEFAULT_CLUSTER_NAME;
    return labels;
  }

  /** The identity of `ip` as an endpoint on `localNode` sees it (host vs remote-node depends on where it runs). */
  public identityOf(ip: string, localNode: string | undefined): Identity {
    const pod = this.podsByIp.get(ip);
    if (pod) return { kind: 'pod', ip, pod, labels: this.podLabels(pod) };
    const apiServer = this.cluster.apiServer.includes(ip);
    const node = this.nodesByIp.get(ip);
    if (node) return { kind: node.name === localNode ? 'host' : 'remote-node', ip, node, apiServer };
    return { kind: 'world', ip, apiServer };
  }

  /** Pods a Service selects, by name (a stable choice of backend). */
  public backends(service: ClusterService): ClusterPod[] {
    if (Object.keys(service.selector).length === 0) return [];
    return this.cluster.pods
      .filter((p) => p.namespace === service.namespace && Object.entries(service.selector).every(([k, v]) => own(p.labels, k) === v))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** Whether an aggregated set holds an address: binary search over IPv4 starts, a scan for IPv6. */
export function setContains(set: CidrSet, ip: Cidr): boolean {
  if (ip.family === 4) {
    let lo = 0;
    let hi = set.v4Count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (set.v4Start[mid]! <= ip.w0) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return false;
    return Cidr.v4(set.v4Start[hi]!, set.v4Len[hi]!).contains(ip);
  }
  for (const c of set) if (c.contains(ip)) return true;
  return false;
}
