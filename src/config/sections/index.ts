import { ConfigSection } from '../section.js';
import { ciliumCidrGroupsSection } from './cilium-cidr-groups.js';
import { ciliumPoliciesSection } from './cilium-policies.js';
import { egressBlockingSection } from './egress-blocking.js';
import { hubbleFlowLogsSection } from './hubble-flow-logs.js';
import { istioSection } from './istio.js';
import { nodeLocalDnsSection } from './node-local-dns.js';

/**
 * Every section netsec.yaml may contain, in build order (NodeLocal DNSCache before the Cilium policies that allow DNS
 * to it). Imported together, not each on first use: in the CLI bundle, one lazy import per section split the code
 * into ~20 more chunks, and loading those cost more than the sections a run does not use (paired runs on the 2-core
 * CI machine: synth of the bundled example 0.94x, a geo-blocking-only synth 1.00x).
 */
export const SECTIONS: readonly ConfigSection<any>[] = [
  egressBlockingSection,
  ciliumCidrGroupsSection,
  nodeLocalDnsSection,
  ciliumPoliciesSection,
  hubbleFlowLogsSection,
  istioSection,
];
