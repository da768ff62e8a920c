import { Duration } from 'cdk8s';
import { NodeLocalDnsCache, NodeLocalDnsCacheProps } from '../../dns/node-local-dns-cache.js';
import { Product } from '../../core/versions.js';
import { ConfigSection, METADATA_PROPERTY, SectionBuildContext, SUPPRESS_PROPERTY, TARGETS_PROPERTY, constructId } from '../section.js';

// A type, not an interface: it must fit ResourceQuantities' index signature.
type QuantitiesValue = {
  readonly cpu?: string;
  readonly memory?: string;
};

/**
 * One entry of `nodeLocalDns:`: `NodeLocalDnsCacheProps` as YAML can say it (TTLs in seconds, quantities as strings,
 * no tolerations), plus where it goes.
 */
export interface NodeLocalDnsValue extends Omit<NodeLocalDnsCacheProps, 'cache' | 'resources' | 'tolerations'> {
  readonly targets?: string[];
  readonly suppress?: readonly { readonly rule: string; readonly reason: string }[];
  readonly component?: string;
  readonly cache?: {
    readonly successCapacity?: number;
    readonly successTtlSeconds?: number;
    readonly denialCapacity?: number;
    readonly denialTtlSeconds?: number;
    readonly otherZonesTtlSeconds?: number;
  };
  readonly resources?: { readonly requests?: QuantitiesValue; readonly limits?: QuantitiesValue };
}

const STRINGS = { type: 'array', items: { type: 'string' } } as const;
const QUANTITIES = {
  type: 'object',
  additionalProperties: false,
  properties: { cpu: { type: 'string', description: 'A Kubernetes quantity, e.g. 25m.' }, memory: { type: 'string', description: 'A Kubernetes quantity, e.g. 5Mi.' } },
} as const;
const POSITIVE = { type: 'integer', minimum: 1 } as const;

const ENTRY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    targets: TARGETS_PROPERTY,
    suppress: SUPPRESS_PROPERTY,
    component: { type: 'string', description: 'Output file (without .yaml) in dist/<target>/. Default: node-local-dns.' },
    namespace: { type: 'string', description: 'Namespace of the cluster DNS Service. Default: kube-system.' },
    name: { type: 'string', description: 'Name of the DaemonSet, ConfigMap and ServiceAccount. Default: node-local-dns.' },
    image: { type: 'string', description: 'node-cache image, 1.15.16 or later. Default: registry.k8s.io/dns/k8s-dns-node-cache:1.26.4.' },
    localIps: { ...STRINGS, minItems: 1, description: 'Addresses node-cache listens on (-localip). Default: [0.0.0.0].' },
    clusterDomain: { type: 'string', description: "Default: the target's cluster.clusterDomain, else cluster.local." },
    cache: {
      type: 'object',
      additionalProperties: false,
      description: 'Cache sizes and TTLs. Default: the upstream values.',
      properties: {
        successCapacity: { ...POSITIVE, description: 'Entries of the positive cache. Default: 9984.' },
        successTtlSeconds: { ...POSITIVE, description: 'Longest time a positive answer is cached. Default: 30.' },
        denialCapacity: { ...POSITIVE, description: 'Entries of the negative (NXDOMAIN) cache. Default: 9984.' },
        denialTtlSeconds: { ...POSITIVE, description: 'Longest time a negative answer is cached. Default: 5.' },
        otherZonesTtlSeconds: { ...POSITIVE, description: 'Longest time an answer of the other zones (reverse and external) is cached. Default: 30.' },
      },
    },
    upstreamServers: { ...STRINGS, minItems: 1, description: "Servers for names outside the cluster. Default: the node's resolvers." },
    stubDomains: { type: 'object', additionalProperties: { ...STRINGS, minItems: 1 }, description: 'Zone → servers.' },
    forceTcpToClusterDns: { type: 'boolean', description: 'Queries to the cluster DNS use TCP (force_tcp), as in the upstream manifests. Default: true.' },
    healthPort: { type: 'integer', description: 'Port of the health plugin and the liveness and readiness probes. Default: 8080.' },
    metricsPort: { type: 'integer', description: 'Port of the prometheus plugin. Default: 9253.' },
    resources: {
      type: 'object',
      additionalProperties: false,
      description: 'Container resources. Default: requests cpu 25m, memory 5Mi (the upstream values).',
      properties: { requests: { ...QUANTITIES, description: 'Resource requests.' }, limits: { ...QUANTITIES, description: 'Resource limits.' } },
    },
    priorityClassName: { type: 'string', description: 'Priority class of the pods. Default: system-node-critical.' },
    noTrackPort: { type: 'boolean', description: 'Annotate the pods with policy.cilium.io/no-track-port: "53". Default: true.' },
    skipRedirectFromBackend: { type: 'boolean', description: 'Default: false; the kube-dns-upstream Service already keeps the cache\'s queries from looping back. Needs Linux 5.12+ on every node; immutable, so changing it later means re-creating the LRP.' },
    clusterDnsService: { type: 'string', description: 'The cluster DNS Service the Local Redirect Policy takes over. Default: kube-dns.' },
    clusterDnsLabels: { type: 'object', additionalProperties: { type: 'string' }, description: "Labels of the cluster DNS (CoreDNS) pods. Default: {k8s-app: kube-dns}." },
    upstreamServiceName: { type: 'string', description: 'Name of the Service that reaches CoreDNS without being redirected (-upstreamsvc). Default: kube-dns-upstream.' },
    localRedirectPolicyName: { type: 'string', description: 'Name of the CiliumLocalRedirectPolicy. Default: nodelocaldns.' },
    metadata: { ...METADATA_PROPERTY, description: "Labels and annotations of every object the cache writes (not the pod template); the cache's own k8s-app and CoreDNS labels keep their values." },
  },
} as const;

/** The props a TypeScript user would pass for this entry. */
export function nodeLocalDnsProps(v: NodeLocalDnsValue): NodeLocalDnsCacheProps {
  const sec = (n: number | undefined): Duration | undefined => (n === undefined ? undefined : Duration.seconds(n));
  const { targets: _targets, suppress: _suppress, component: _component, cache, resources, ...same } = v;
  return {
    ...same,
    cache: cache && {
      successCapacity: cache.successCapacity,
      successTtl: sec(cache.successTtlSeconds),
      denialCapacity: cache.denialCapacity,
      denialTtl: sec(cache.denialTtlSeconds),
      otherZonesTtl: sec(cache.otherZonesTtlSeconds),
    },
    resources,
  };
}

/** Builds one `nodeLocalDns:` entry into `ctx`'s chart. */
export function buildNodeLocalDns(ctx: SectionBuildContext, v: NodeLocalDnsValue): NodeLocalDnsCache {
  return new NodeLocalDnsCache(ctx.chart(v.component ?? 'node-local-dns'), constructId('NodeLocalDns', v.namespace ?? 'kube-system', v.name ?? 'node-local-dns'), nodeLocalDnsProps(v));
}

/** `nodeLocalDns:` in netsec.yaml: NodeLocal DNSCache behind a Cilium Local Redirect Policy. */
export const nodeLocalDnsSection: ConfigSection<NodeLocalDnsValue> = {
  key: 'nodeLocalDns',
  description: 'NodeLocal DNSCache behind a Cilium Local Redirect Policy; Cilium policies of the same target then allow DNS to it.',
  schema: { type: 'array', items: ENTRY_SCHEMA },
  needs: [Product.CILIUM],
  objects: (v) => [{
    label: `NodeLocal DNSCache '${v.namespace ?? 'kube-system'}/${v.name ?? 'node-local-dns'}'`,
    pointer: v.name !== undefined ? '/name' : v.namespace !== undefined ? '/namespace' : '',
  }],
  build(ctx, v) {
    buildNodeLocalDns(ctx, v);
  },
};
