import { identityOf } from '../manifest-index.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { WORKLOAD_KINDS, podTemplateOf } from '../workloads.js';

/** The label the cluster DNS Service (`kube-system/kube-dns`) selects its CoreDNS pods by, on kubeadm and managed clusters. */
const KUBE_DNS_LABEL = { key: 'k8s-app', value: 'kube-dns' } as const;

export const kubeDnsLabelTaken: LintRule = {
  id: 'dns/kube-dns-label-taken',
  severity: Severity.ERROR,
  summary: "Pods other than CoreDNS carry CoreDNS's label k8s-app: kube-dns.",
  notSuppressible: 'the kube-dns Service would send cluster DNS to them',
  explanation:
    'The kube-dns Service selects its endpoints by k8s-app: kube-dns. Other pods with that label (a NodeLocal DNSCache named ' +
    '"kube-dns", a copy-pasted Deployment) become cluster DNS backends, and policies that allow DNS to kube-dns by label allow ' +
    'them too. NodeLocal DNSCache pods are labelled k8s-app: node-local-dns upstream.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of index.ofKind(...WORKLOAD_KINDS)) {
      if (!m.applied) continue;
      const id = identityOf(m.object);
      if (id.namespace === 'kube-system' && id.name === 'coredns') continue;
      const pod = podTemplateOf(m);
      if (pod.labels[KUBE_DNS_LABEL.key] !== KUBE_DNS_LABEL.value) continue;
      out.push({
        manifest: m,
        path: `${pod.metadataPath}.labels`,
        message: `labels its pods ${KUBE_DNS_LABEL.key}: ${KUBE_DNS_LABEL.value}, the label the kube-dns Service selects CoreDNS by: these pods would receive cluster DNS queries. Use another value (NodeLocal DNSCache uses node-local-dns).`,
      });
    }
    return out;
  },
};

export const DNS_RULES: readonly LintRule[] = [kubeDnsLabelTaken];
