/**
 * NodeLocal DNSCache behind a Cilium Local Redirect Policy, and the registry that tells Cilium policies which DNS
 * resolvers a target's pods really talk to.
 */
export * from './cluster-dns.js';
export * from './corefile.js';
export * from './node-local-dns-cache.js';
