import { ConfigSection } from '../section.js';

/**
 * Every section netsec.yaml may contain, in build order. Each domain adds its own here
 * (egress blocking, Cilium policies and NodeLocal DNSCache, Hubble flow logs, Istio).
 */
export const SECTIONS: readonly ConfigSection<any>[] = [];
