import { ConfigSection } from '../section.js';

/** A section of netsec.yaml by key, with its module loaded only when a config uses it. */
export interface SectionEntry {
  /** The top-level key in netsec.yaml (the loaded section's `key`). */
  readonly key: string;
  load(): Promise<ConfigSection<any>>;
}

/**
 * Every section netsec.yaml may contain, in build order (NodeLocal DNSCache before the Cilium policies that allow DNS
 * to it). Modules load on first use: netsec.yaml is validated by the precompiled netsec.schema.validate.cjs, so a
 * geo-blocking run never loads the DNS, Hubble or Istio constructs (`npm run bench`).
 */
export const SECTIONS: readonly SectionEntry[] = [
  { key: 'egressBlocking', load: async () => (await import('./egress-blocking.js')).egressBlockingSection },
  { key: 'ciliumCidrGroups', load: async () => (await import('./cilium-cidr-groups.js')).ciliumCidrGroupsSection },
  { key: 'nodeLocalDns', load: async () => (await import('./node-local-dns.js')).nodeLocalDnsSection },
  { key: 'ciliumPolicies', load: async () => (await import('./cilium-policies.js')).ciliumPoliciesSection },
  { key: 'hubbleFlowLogs', load: async () => (await import('./hubble-flow-logs.js')).hubbleFlowLogsSection },
  { key: 'istio', load: async () => (await import('./istio.js')).istioSection },
];

/** Every section, loaded (for the config schema). Throws if an entry's key is not its section's key. */
export async function loadAllSections(): Promise<ConfigSection<any>[]> {
  const sections = await Promise.all(SECTIONS.map((s) => s.load()));
  sections.forEach((section, i) => {
    if (section.key !== SECTIONS[i]!.key) throw new Error(`section entry '${SECTIONS[i]!.key}' loads the section '${section.key}'`);
  });
  return sections;
}
