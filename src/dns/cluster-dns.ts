import { IConstruct } from 'constructs';
import { NodeLocalDnsMode, Target } from '../core/target.js';

/** Where the DNS queries of a cluster's pods go: what a DNS allow rule must select. */
export type DnsResolver = PodDnsResolver | HostDnsResolver;

/** DNS answered by pods: kube-dns, or NodeLocal DNSCache behind a Local Redirect Policy. */
export interface PodDnsResolver {
  readonly kind: 'pods';
  /** A short name for messages, e.g. 'kube-dns' or 'node-local-dns'. */
  readonly name: string;
  /** The namespace the pods run in. */
  readonly namespace: string;
  /** Labels that select the pods (without a source prefix). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * DNS answered on the node itself, at link-local addresses: a hostNetwork NodeLocal DNSCache, or AKS LocalDNS. Cilium
 * gives the local node's addresses the identity `host` (domain-notes finding 5, §C.1), which no pod selector matches;
 * where the link-local address is not one it knows as the node's, it labels the address world instead (cilium-cli's
 * connectivity test says so of node-local-dns "deployed with local IP"). A DNS rule must therefore allow entity host
 * and each address (a CIDR rule, which does not open port 53 to the whole world).
 */
export interface HostDnsResolver {
  readonly kind: 'host';
  /** A short name for messages. */
  readonly name: string;
  /** The addresses the cache listens on, e.g. ['169.254.20.10']. */
  readonly addresses: readonly string[];
}

/** The CoreDNS/kube-dns pods every cluster has. */
export const KUBE_DNS: PodDnsResolver = { kind: 'pods', name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
/** The NodeLocal DNSCache pods a Cilium Local Redirect Policy sends queries to, as Cilium's example deploys them. */
export const NODE_LOCAL_DNS: PodDnsResolver = { kind: 'pods', name: 'node-local-dns', namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } };

/** What a DNS cache construct (NodeLocalDnsCache) puts in its target's DNS path. */
export interface DnsCachePath {
  /** The cache the pods' queries are redirected to. */
  readonly cache: DnsResolver;
  /** The cluster DNS it stands in for, which pods still reach while no cache pod is ready on their node. */
  readonly clusterDns: DnsResolver;
}

/** A construct that puts a DNS cache in its target's DNS path; `NodeLocalDnsCache` is one. */
export interface IDnsCache extends IConstruct {
  readonly dnsCachePath: DnsCachePath;
}

// A mark on the construct (not an import of NodeLocalDnsCache, so that policies do not load the DNS constructs, and
// not instanceof, which fails across two copies of the library).
const DNS_CACHE_MARK = Symbol.for('netsec.dns.IDnsCache');

// The marked caches of one construct tree, kept on its root construct (not in a module, so two apps never share it):
// policies ask for the DNS path one by one, and walking the whole tree for each made synthesis quadratic in the
// number of policies (4,000 Cilium policies: 13 of 19 s of CPU in the walk; 10,000 did not finish in 300 s).
const DNS_CACHES = Symbol.for('netsec.dns.caches');

/** Marks `cache` so that `dnsResolversOf` finds it in the construct tree. Called by DNS cache constructs. */
export function markDnsCache(cache: IDnsCache): void {
  (cache as unknown as Record<symbol, boolean>)[DNS_CACHE_MARK] = true;
  const root = cache.node.root as unknown as Record<symbol, IDnsCache[] | undefined>;
  (root[DNS_CACHES] ??= []).push(cache);
}

/** Whether `x` is a construct marked with `markDnsCache`. */
export function isDnsCache(x: unknown): x is IDnsCache {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[DNS_CACHE_MARK] === true;
}

/**
 * The DNS resolvers the pods of `scope`'s target really talk to, in a fixed order: the cluster DNS (kube-dns), and
 * NodeLocal DNSCache when it is on: the cache pods when a Local Redirect Policy sends queries to them (a NodeLocalDnsCache
 * construct anywhere in the same target, built before or after, or `cluster.nodeLocalDns` mode lrp; cilium#24654), or
 * for a link-local cache (`cluster.nodeLocalDns` mode link-local) the node itself, as entity host and as the cache's
 * addresses. kube-dns stays in the list: pods fall back to it while no cache is ready on their node.
 */
export function dnsResolversOf(scope: IConstruct): DnsResolver[] {
  const target = Target.of(scope);
  const caches = dnsCachesOf(scope, target);
  const resolvers: DnsResolver[] = caches.length ? [...caches.map((c) => c.clusterDns), ...caches.map((c) => c.cache)] : [KUBE_DNS];
  if (!caches.length && target.nodeLocalDns?.mode === NodeLocalDnsMode.LRP) resolvers.push(NODE_LOCAL_DNS);
  if (!caches.length && target.nodeLocalDns?.mode === NodeLocalDnsMode.LINK_LOCAL) {
    resolvers.push({ kind: 'host', name: 'node-local-dns', addresses: target.nodeLocalDns.addresses ?? [] });
  }
  const seen = new Set<string>();
  return resolvers.filter((r) => {
    const key = r.kind === 'pods' ? `${r.namespace}/${JSON.stringify(Object.entries(r.labels).sort())}` : `host/${r.addresses.join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** How NodeLocal DNSCache answers the queries of `scope`'s target; undefined when it is off. */
export function nodeLocalDnsModeOf(scope: IConstruct): NodeLocalDnsMode | undefined {
  const target = Target.of(scope);
  return dnsCachesOf(scope, target).length ? NodeLocalDnsMode.LRP : target.nodeLocalDns?.mode;
}

/** Whether NodeLocal DNSCache answers the queries of `scope`'s target. */
export function nodeLocalDnsOn(scope: IConstruct): boolean {
  return nodeLocalDnsModeOf(scope) !== undefined;
}

/**
 * Why a DNS rule must select more than kube-dns in `scope`'s target, as a sentence for messages (with a leading
 * space); empty when NodeLocal DNSCache is off.
 */
export function dnsPathExplanation(scope: IConstruct): string {
  switch (nodeLocalDnsModeOf(scope)) {
    case NodeLocalDnsMode.LRP:
      return ' NodeLocal DNSCache is on in this target, so the Local Redirect Policy sends the queries to node-local-dns, not to kube-dns (cilium#24654).';
    case NodeLocalDnsMode.LINK_LOCAL:
      return ' NodeLocal DNSCache listens on an address of each node in this target (cluster.nodeLocalDns mode link-local), so the queries go to the node itself, which no pod selector matches: Cilium labels that address entity host, or world where it is not a known node address, so a rule must allow both entity host and the address.';
    default:
      return '';
  }
}

/** The cache paths of the DNS caches in `target`, in construct-tree order (so the result does not depend on build order). */
function dnsCachesOf(scope: IConstruct, target: Target): DnsCachePath[] {
  const root = scope.node.root;
  const marked = (root as unknown as Record<symbol, IDnsCache[] | undefined>)[DNS_CACHES] ?? [];
  return marked
    .filter((c) => isDnsCache(c) && inTree(c, root) && Target.of(c) === target)
    .map((c) => ({ c, order: treeOrder(c) }))
    .sort((a, b) => compareOrder(a.order, b.order))
    .map(({ c }) => c.dnsCachePath);
}

/** Whether `c` is still attached under `root` (a construct can be removed with `node.tryRemoveChild`). */
function inTree(c: IConstruct, root: IConstruct): boolean {
  const scopes = c.node.scopes;
  if (scopes[0] !== root) return false;
  for (let i = 1; i < scopes.length; i++) if (scopes[i - 1]!.node.tryFindChild(scopes[i]!.node.id) !== scopes[i]) return false;
  return true;
}

/** The child index at each level from the root: comparing these orders constructs as a depth-first `findAll` does. */
function treeOrder(c: IConstruct): number[] {
  const scopes = c.node.scopes;
  return scopes.slice(1).map((s, i) => scopes[i]!.node.children.indexOf(s));
}

function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
