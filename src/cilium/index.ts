/**
 * Cilium policies: `CiliumNetworkPolicy` and `CiliumClusterwideNetworkPolicy` with typed peers, ports and L7 rules,
 * checked as Cilium's agent checks them, and DNS rules that follow the cluster's DNS path.
 */
export { canonicalName, type DnsCoverOptions, FqdnMatchKind, type FqdnMatchOptions, FqdnSelector } from './fqdn.js';
export { Port, type PortOptions, Protocol } from './ports.js';
export { EndpointSelector, type EndpointSelectorOptions, type LabelExpression, LabelOperator } from './selectors.js';
export { Entity, NamespaceScope, Peer, type PeerContext, PeerKind } from './peers.js';
export { HttpRule, type HttpRuleOptions } from './http.js';
export { CiliumPolicyBase, type CiliumPolicyBaseProps, DnsAccess, DnsPatterns, type EgressRuleOptions, type IngressRuleOptions, PolicyDefault } from './policy-base.js';
export { CiliumNetworkPolicy, type CiliumNetworkPolicyProps } from './cilium-network-policy.js';
export { CiliumClusterwideNetworkPolicy, type CiliumClusterwideNetworkPolicyProps } from './cilium-clusterwide-network-policy.js';

