import { LintRule } from '../rule.js';
import { CALICO_RULES } from './calico.js';
import { CALICO_POLICY_RULES } from './calico-policy.js';
import { CILIUM_RULES } from './cilium.js';
import { CILIUM_DNS_RULES } from './cilium-dns.js';
import { CILIUM_ISTIO_RULES } from './cilium-istio.js';
import { CILIUM_L7_RULES } from './cilium-l7.js';
import { CILIUM_SANITIZE_RULES } from './cilium-sanitize.js';
import { DNS_RULES } from './dns.js';
import { LRP_RULES, NODE_LOCAL_DNS_RULES } from './lrp.js';
import { HUBBLE_RULES } from './hubble.js';
import { ISTIO_RULES } from './istio.js';
import { K8S_RULES } from './k8s.js';

/** Every lint rule, in the order findings are reported. Ids are stable: docs and suppressions name them. */
export const RULES: readonly LintRule[] = [...K8S_RULES, ...CILIUM_RULES, ...CILIUM_SANITIZE_RULES, ...CILIUM_DNS_RULES, ...CILIUM_L7_RULES, ...CALICO_RULES, ...CALICO_POLICY_RULES, ...DNS_RULES, ...NODE_LOCAL_DNS_RULES, ...LRP_RULES, ...HUBBLE_RULES, ...CILIUM_ISTIO_RULES, ...ISTIO_RULES];
