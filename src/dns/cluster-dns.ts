import { IConstruct } from 'constructs';
import { Target } from '../core/target.js';

/** Pods that answer the DNS queries of a cluster's pods: what a DNS allow rule must select. */
export interface DnsResolver {
  /** A short name for messages, e.g. 'kube-dns' or 'node-local-dns'. */
  readonly name: string;
  /** The namespace the pods run in. */
  readonly namespace: string;
  /** Labels that select the pods (without a source prefix). */
  readonly labels: Readonly<Record<string, string>>;
}

/** The CoreDNS/kube-dns pods every cluster has. */
export const KUBE_DNS: DnsResolver = { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
/** The NodeLocal DNSCache pods a Cilium Local Redirect Policy sends queries to, as Cilium's example deploys them. */
export const NODE_LOCAL_DNS: DnsResolver = { name: 'node-local-dns', namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } };

/** What a NodeLocalDnsCache tells the policies of its target. */
interface CacheRegistration {
  readonly cache: DnsResolver;
  readonly clusterDns: DnsResolver;
}

const registry = new WeakMap<Target, CacheRegistration[]>();

/**
 * Records that NodeLocal DNSCache runs behind a Local Redirect Policy in `target`. Called by `NodeLocalDnsCache`;
 * policies anywhere in the same target (any chart, constructed before or after) then allow DNS to its pods too.
 */
export function registerNodeLocalDns(target: Target, cache: DnsResolver, clusterDns: DnsResolver): void {
  const list = registry.get(target) ?? [];
  list.push({ cache, clusterDns });
  registry.set(target, list);
}

/**
 * The DNS resolvers the pods of `scope`'s target really talk to, in a fixed order: the cluster DNS (kube-dns), and
 * node-local-dns when NodeLocal DNSCache is on (`target.cluster.nodeLocalDns`, or a NodeLocalDnsCache construct in the
 * same target). With the cache on, a Local Redirect Policy sends queries to the cache pods, not to kube-dns
 * (cilium#24654); kube-dns stays in the list because Cilium falls back to it while no cache pod is ready on a node.
 */
export function dnsResolversOf(scope: IConstruct): DnsResolver[] {
  const target = Target.of(scope);
  const registered = registry.get(target) ?? [];
  const resolvers: DnsResolver[] = registered.length ? registered.map((r) => r.clusterDns) : [KUBE_DNS];
  if (registered.length) resolvers.push(...registered.map((r) => r.cache));
  else if (target.cluster.nodeLocalDns) resolvers.push(NODE_LOCAL_DNS);
  const seen = new Set<string>();
  return resolvers.filter((r) => {
    const key = `${r.namespace}/${JSON.stringify(Object.entries(r.labels).sort())}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether NodeLocal DNSCache answers the queries of `scope`'s target. */
export function nodeLocalDnsOn(scope: IConstruct): boolean {
  const target = Target.of(scope);
  return (registry.get(target)?.length ?? 0) > 0 || target.cluster.nodeLocalDns === true;
}
