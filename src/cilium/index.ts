/**
 * Cilium policies: `CiliumNetworkPolicy` and `CiliumClusterwideNetworkPolicy` with typed peers, ports and L7 rules,
 * checked as Cilium's agent checks them, and DNS rules that follow the cluster's DNS path.
 */
export * from './fqdn.js';
export * from './ports.js';
export * from './selectors.js';
export * from './peers.js';
export * from './http.js';
export * from './policy-base.js';
export * from './cilium-network-policy.js';
export * from './cilium-clusterwide-network-policy.js';
