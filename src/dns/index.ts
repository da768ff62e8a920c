/**
 * NodeLocal DNSCache behind a Cilium Local Redirect Policy, and the registry that tells Cilium policies which DNS
 * resolvers a target's pods really talk to.
 */
export { type DnsCachePath, type DnsResolver, type HostDnsResolver, type IDnsCache, KUBE_DNS, NODE_LOCAL_DNS, type PodDnsResolver } from './cluster-dns.js';
export { type NodeLocalDnsCacheSettings, type NodeLocalDnsCorefileOptions, renderNodeLocalDnsCorefile } from './corefile.js';
export { type ContainerResources, NodeLocalDnsCache, type NodeLocalDnsCacheProps, type ResourceQuantities } from './node-local-dns-cache.js';

