import { ConfigSection } from '../section.js';
import { ciliumPoliciesSection } from './cilium-policies.js';
import { nodeLocalDnsSection } from './node-local-dns.js';
import { egressBlockingSection } from './egress-blocking.js';
import { ciliumCidrGroupsSection } from './cilium-cidr-groups.js';
import { hubbleFlowLogsSection } from './hubble-flow-logs.js';
import { istioSection } from './istio.js';

/**
 * Every section netsec.yaml may contain, in build order. Each domain adds its own here
 * (egress blocking, Cilium policies and NodeLocal DNSCache, Hubble flow logs, Istio).
 */
export const SECTIONS: readonly ConfigSection<any>[] = [
  egressBlockingSection,
  ciliumCidrGroupsSection,
  nodeLocalDnsSection,
  ciliumPoliciesSection,
  hubbleFlowLogsSection,
  istioSection,
];
