import { Duration } from 'cdk8s';
import { NetsecError } from '../core/errors.js';

/**
 * Placeholders the node-cache binary substitutes at run time (k8s-dns-node-cache `-upstreamsvc` and
 * /etc/resolv.conf); they must stay in the Corefile where the binary expects them.
 */
export const PILLAR_CLUSTER_DNS = '__PILLAR__CLUSTER__DNS__';
export const PILLAR_UPSTREAM_SERVERS = '__PILLAR__UPSTREAM__SERVERS__';
/** Placeholders a human fills in with sed in the upstream manifests; netsec fills them itself and refuses them as input. */
const SED_PLACEHOLDERS = ['__PILLAR__LOCAL__DNS__', '__PILLAR__DNS__SERVER__', '__PILLAR__DNS__DOMAIN__'];

/** Cache sizes and TTLs of the cluster-domain zone, as in the upstream Corefile. */
export interface NodeLocalDnsCacheSettings {
  /** Capacity of the positive cache (entries). @default 9984 */
  readonly successCapacity?: number;
  /** Maximum TTL of positive answers. @default Duration.seconds(30) */
  readonly successTtl?: Duration;
  /** Capacity of the negative cache (entries). @default 9984 */
  readonly denialCapacity?: number;
  /** Maximum TTL of negative answers (NXDOMAIN). @default Duration.seconds(5) */
  readonly denialTtl?: Duration;
  /** Maximum TTL of cached answers of the other zones (reverse and external). @default Duration.seconds(30) */
  readonly otherZonesTtl?: Duration;
}

/** What `renderNodeLocalDnsCorefile` needs. Every field is resolved (the construct resolves defaults). */
export interface NodeLocalDnsCorefileOptions {
  /** The cluster DNS domain, e.g. 'cluster.local'. */
  readonly clusterDomain: string;
  readonly cache: Required<NodeLocalDnsCacheSettings>;
  /** Where queries for the cluster domain and reverse zones go; normally PILLAR_CLUSTER_DNS (the kube-dns-upstream Service). */
  readonly clusterDnsServers: readonly string[];
  /** Whether queries to the cluster DNS use TCP (the upstream manifests do: `force_tcp`). */
  readonly forceTcp: boolean;
  /** Where every other query goes; normally PILLAR_UPSTREAM_SERVERS (the node's resolvers). */
  readonly upstreamServers: readonly string[];
  /** Extra zones and the servers that answer them (e.g. `{ 'k8s.intra': ['10.0.0.53'] }`). */
  readonly stubDomains: Readonly<Record<string, readonly string[]>>;
  /** Port of the `health` plugin (liveness probe). */
  readonly healthPort: number;
  /** Port of the `prometheus` plugin. */
  readonly metricsPort: number;
}

const ZONE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(:\d{1,5})?$/;

/** Checks a forward target: an IP (optionally `:port`), `[IPv6]:port`, or one of the placeholders the binary fills. */
export function checkForwardServer(who: string, field: string, server: string, allowed: readonly string[]): void {
  if (allowed.includes(server)) return;
  if (SED_PLACEHOLDERS.includes(server) || server.startsWith('__PILLAR__')) {
    throw new NetsecError('INVALID', `${who}: '${field}' contains '${server}', a placeholder the node-cache binary does not substitute; give the address itself${allowed.length ? ` or one of ${allowed.join(', ')}` : ''}.`);
  }
  const ipv6 = /^\[?[0-9a-fA-F:]+\]?(:\d{1,5})?$/.test(server) && server.includes(':');
  if (!IPV4.test(server) && !ipv6) {
    throw new NetsecError('INVALID', `${who}: '${field}' entry '${server}' is not an IP address (optionally with ':port').`);
  }
}

/** Checks a DNS zone name (a stub domain or the cluster domain). */
export function checkZone(who: string, field: string, zone: string): void {
  if (!ZONE.test(zone) || zone.length > 253) {
    throw new NetsecError('INVALID', `${who}: '${field}' '${zone}' is not a DNS zone name (lowercase labels separated by dots, no final dot).`);
  }
}

/**
 * The node-local-dns Corefile for the Local Redirect Policy setup (Cilium's `examples/kubernetes-local-redirect`):
 * every server block binds 0.0.0.0 (the pod's own address; the LRP sends it the kube-dns traffic), `health` serves
 * on the pod's own address, and the cluster zones are forwarded to the kube-dns-upstream Service placeholder.
 */
export function renderNodeLocalDnsCorefile(o: NodeLocalDnsCorefileOptions): string {
  const clusterForward = forwardBlock(o.clusterDnsServers, o.forceTcp);
  const secs = (d: Duration): number => d.toSeconds();
  const block = (zone: string, lines: string[]): string => [`${zone}:53 {`, ...lines.map((l) => `    ${l}`), '    }'].join('\n');
  const common = (cache: string[], forward: string[], extra: string[] = []): string[] => [
    'errors',
    ...cache,
    'reload',
    'loop',
    'bind 0.0.0.0',
    ...forward,
    `prometheus :${o.metricsPort}`,
    ...extra,
  ];
  const blocks = [
    block(
      o.clusterDomain,
      common(
        ['cache {', `        success ${o.cache.successCapacity} ${secs(o.cache.successTtl)}`, `        denial ${o.cache.denialCapacity} ${secs(o.cache.denialTtl)}`, '}'],
        clusterForward,
        [`health :${o.healthPort}`],
      ),
    ),
    block('in-addr.arpa', common([`cache ${secs(o.cache.otherZonesTtl)}`], clusterForward)),
    block('ip6.arpa', common([`cache ${secs(o.cache.otherZonesTtl)}`], clusterForward)),
    ...Object.keys(o.stubDomains)
      .sort()
      .map((zone) => block(zone, common([`cache ${secs(o.cache.otherZonesTtl)}`], forwardBlock(o.stubDomains[zone], false)))),
    block('.', common([`cache ${secs(o.cache.otherZonesTtl)}`], forwardBlock(o.upstreamServers, false))),
  ];
  return blocks.join('\n') + '\n';
}

function forwardBlock(servers: readonly string[], forceTcp: boolean): string[] {
  const head = `forward . ${servers.join(' ')}`;
  return forceTcp ? [`${head} {`, '        force_tcp', '}'] : [head];
}
