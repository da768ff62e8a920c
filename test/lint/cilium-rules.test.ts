import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Manifest, ManifestIndex, RULES, Target, TargetProps, lint } from '../../src/index.js';
import { CILIUM_DNS_RULES } from '../../src/lint/rules/cilium-dns.js';
import { CILIUM_L7_RULES } from '../../src/lint/rules/cilium-l7.js';
import { cidrDoesNotMatchCluster } from '../../src/lint/rules/cilium.js';
import { CILIUM_SANITIZE_RULES } from '../../src/lint/rules/cilium-sanitize.js';

// One case per Cilium agent-side rule (src/lint/rules/cilium-sanitize.ts, cilium-dns.ts): hand-written objects that
// trigger it, with the exact severity, path and message, and objects that do not (on the same target unless named).

type Obj = Record<string, unknown>;
const T = (cilium: string, extra: Partial<TargetProps> = {}): TargetProps => ({ name: 't', kubernetes: '1.30', cilium, ...extra });
const cnp = (spec: Obj, name = 'web', namespace = 'shop') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const ccnp = (spec: Obj, name = 'all') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });
const GROUP = { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'geo' }, spec: { externalCIDRs: ['198.51.100.0/24'] } };
const ES = { matchLabels: { app: 'web' } };
const P = (port: string, protocol = 'TCP') => ({ port, protocol });
/** The DNS rule of Cilium's examples: kube-dns in kube-system, port 53 over UDP and TCP, every query through the DNS proxy. */
const DNS_KUBE = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [P('53', 'ANY')], rules: { dns: [{ matchPattern: '*' }] } }] };

function findings(objects: Obj[], target: TargetProps, id: string) {
  const manifests: Manifest[] = objects.map((object, i) => ({ object, applied: true, location: { file: 'in.yaml', line: i * 10 + 1, column: 1 } }));
  return lint(new ManifestIndex(new Target(target), manifests)).findings.filter((f) => f.ruleId === id).map((f) => [f.severity, f.path, f.message]);
}

const CASES: { id: string; title: string; target: TargetProps; bad: Obj[]; expected: string[][]; good: Obj[]; goodTarget: TargetProps }[] = [
  {
    id: 'cilium/rule-shape', title: 'cilium/rule-shape', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES })],
    expected: [
      ["error", "spec", "CiliumNetworkPolicy 'shop/web' at spec: has none of ingress, ingressDeny, egress and egressDeny; Cilium's agent refuses such a rule (\"rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny\"), and the whole policy is then not enforced. Add a rule, or remove it."],
    ],
    good: [cnp({ endpointSelector: ES, ingress: [{ fromEntities: ['world'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/rule-shape', title: 'cilium/rule-shape (1.16: a warning)', target: T('1.16'),
    bad: [cnp({ endpointSelector: ES })],
    expected: [
      ["warning", "spec", "CiliumNetworkPolicy 'shop/web' at spec: has none of ingress, ingressDeny, egress and egressDeny, so it does nothing (Cilium 1.17 and later refuse it). Add a rule, or remove it."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toEntities: ['world'] }] })], goodTarget: T('1.16'),
  },
  {
    id: 'cilium/rule-shape', title: 'cilium/rule-shape (nodeSelector in a CiliumNetworkPolicy)', target: T('1.17'),
    bad: [cnp({ nodeSelector: {}, ingress: [{ fromEntities: ['world'] }] })],
    expected: [
      ["error", "spec.nodeSelector", "CiliumNetworkPolicy 'shop/web' at spec.nodeSelector: selects nodes, which only a CiliumClusterwideNetworkPolicy can; move the rule into one."],
    ],
    good: [ccnp({ nodeSelector: {}, ingress: [{ fromEntities: ['world'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/invalid-label-selector', title: 'cilium/invalid-label-selector', target: T('1.17'),
    bad: [cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, ingress: [{ fromEntities: ['world'] }] })],
    expected: [
      ["error", "spec.endpointSelector", "CiliumNetworkPolicy 'shop/web' at spec.endpointSelector: 'app In' needs at least one value."],
    ],
    good: [cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, ingress: [{ fromEntities: ['world'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/empty-peer-list-selects-nothing', title: 'cilium/empty-peer-list-selects-nothing', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toEndpoints: [], toPorts: [{ ports: [P('443')] }] }] })],
    expected: [
      ["error", "spec.egress[0].toEndpoints", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toEndpoints: is an empty list, which Cilium (1.16+) reads as \"no peer\": the rule allows nothing, yet still switches the selected pods to egress default-deny. Leave toEndpoints out to match every peer on the rule's ports, or list the peers."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toPorts: [{ ports: [P('443')] }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/egress-empty-rule-denies-all', title: 'cilium/egress-empty-rule-denies-all', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{}] })],
    expected: [
      ["warning", "spec.egress[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0]: is an empty egress rule: in Cilium it allows nothing and switches the selected pods to egress default-deny, so all their egress traffic that no other rule allows is dropped (in a Kubernetes NetworkPolicy the same YAML means \"allow all\"). Keep it only if deny-all is intended; allow-all is toEntities: [all]."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toEntities: ['all'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/l3-selector-kinds-mixed', title: 'cilium/l3-selector-kinds-mixed', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toEndpoints: [{}], toCIDR: ['192.0.2.0/24'] }] })],
    expected: [
      ["error", "spec.egress[0].toCIDR", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toCIDR: combines toEndpoints and toCIDR in one rule; Cilium's agent refuses that (\"combining ToEndpoints and ToCIDR is not supported yet\"), and the whole policy is then not enforced although the API server stored it. Split it into one rule per peer kind."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toEndpoints: [{}] }, { toCIDR: ['192.0.2.0/24'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/deny-unsupported-fields', title: 'cilium/deny-unsupported-fields', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, enableDefaultDeny: { egress: false }, egressDeny: [{ toFQDNs: [{ matchName: 'evil.example' }] }] })],
    expected: [
      ["error", "spec.egressDeny[0].toFQDNs", "CiliumNetworkPolicy 'shop/web' at spec.egressDeny[0].toFQDNs: is not a field of deny rules (Cilium has no FQDN deny): the API server drops it, and the rest of the rule then denies every peer on its ports, or nothing while still switching the pods to egress default-deny. Deny the addresses with toCIDRSet (or a CiliumCIDRGroup), or allow only the names wanted."],
    ],
    good: [cnp({ endpointSelector: ES, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDR: ['192.0.2.0/24'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/port-rule-shape', title: 'cilium/port-rule-shape', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('70000')] }] }] })],
    expected: [
      ["error", "spec.ingress[0].toPorts[0].ports[0].port", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].toPorts[0].ports[0].port: '70000' is neither a port number (0-65535) nor a port name (an IANA service name: at most 15 letters, digits and '-', with at least one letter); Cilium's agent refuses it (\"unable to parse port\")."],
    ],
    good: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('http'), P('8080')] }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/l7-port-rule-shape', title: 'cilium/l7-port-rule-shape', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('0')], rules: { http: [{ path: '/' }] } }] }] })],
    expected: [
      ["error", "spec.ingress[0].toPorts[0].ports[0].port", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].toPorts[0].ports[0].port: is '0' (every port), but the port rule has L7 rules; Cilium's agent refuses that (\"L7 rules can not be used when a port is 0\"). Name the ports the L7 rules apply to."],
    ],
    good: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('80')], rules: { http: [{ path: '/' }] } }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/l7-http-requires-tcp', title: 'cilium/l7-http-requires-tcp', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{ path: '/' }] } }] }] })],
    expected: [
      ["error", "spec.ingress[0].toPorts[0].ports[0]", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].toPorts[0].ports[0]: has no protocol, which Cilium reads as ANY, but the port rule has http rules, which need protocol TCP on every port; Cilium's agent refuses that (\"L7 rules can only apply to TCP (not ANY) except for DNS rules\"), and the whole policy is then not enforced. Set protocol: TCP."],
    ],
    good: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('80')], rules: { http: [{ path: '/' }] } }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/l7-http-rule-shape', title: 'cilium/l7-http-rule-shape', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('80')], rules: { http: [{ path: '/(?!admin).*' }] } }] }] })],
    expected: [
      ["error", "spec.ingress[0].toPorts[0].rules.http[0].path", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].toPorts[0].rules.http[0].path: '/(?!admin).*' is not an RE2 regular expression (error parsing regexp: invalid or unsupported Perl syntax: `(?!`); Cilium's agent compiles it with Go's regexp (RE2 syntax) and refuses the whole policy. RE2 has no lookarounds or backreferences: match the allowed paths instead (e.g. '/public/.*')."],
    ],
    good: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('80')], rules: { http: [{ path: '/public/.*', method: '(?i)get' }] } }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/dns-rule-shape', title: 'cilium/dns-rule-shape', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ ...DNS_KUBE, toPorts: [{ ports: [{ port: '53', endPort: 54, protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] })],
    expected: [
      ["error", "spec.egress[0].toPorts[0].ports[0].endPort", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toPorts[0].ports[0].endPort: makes 53-54 a port range; Cilium's agent refuses ranges with DNS rules (\"DNS rules do not support port ranges\"). Name port 53 alone."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [DNS_KUBE] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/host-policy-l7', title: 'cilium/host-policy-l7', target: T('1.17'),
    bad: [ccnp({ nodeSelector: {}, egress: [{ toEntities: ['world'], toPorts: [{ ports: [P('80')], rules: { http: [{}] } }] }] })],
    expected: [
      ["error", "spec.egress[0].toPorts[0].rules", "CiliumClusterwideNetworkPolicy 'all' at spec.egress[0].toPorts[0].rules: has http rules in a host policy (nodeSelector); Cilium's agent refuses that on this line (\"L7 protocol HTTP is not supported on host egress yet\"), and the whole policy is then not enforced. Remove the L7 rules, or select pods with an endpointSelector instead."],
    ],
    good: [ccnp({ nodeSelector: {}, egress: [{ toEntities: ['world'], toPorts: [{ ports: [P('80')] }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/cidr-rule-shape', title: 'cilium/cidr-rule-shape', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toCIDRSet: [{ cidr: '10.0.0.1' }] }] })],
    expected: [
      ["error", "spec.egress[0].toCIDRSet[0].cidr", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toCIDRSet[0].cidr: '10.0.0.1' is not a prefix; a CIDR rule needs address/length such as '10.0.0.0/8' (Cilium's agent: \"unable to parse CIDRRule\"). For one address write /32 (IPv4) or /128 (IPv6)."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toCIDRSet: [{ cidr: '10.0.0.1/32' }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/cidrgroup-except-version', title: 'cilium/cidrgroup-except-version', target: T('1.16'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toCIDRSet: [{ cidrGroupRef: 'geo', except: ['192.0.2.0/24'] }] }] }), GROUP],
    expected: [
      ["error", "spec.egress[0].toCIDRSet[0].except", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toCIDRSet[0].except: is combined with cidrGroupRef; Cilium before 1.17 refuses that (\"ExceptCIDRs cannot be used in combination with CIDRGroupRef\"; earlier patches crashed the agent, cilium#36494). Deny the holes with a separate rule, or run Cilium 1.17 or later."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toCIDRSet: [{ cidrGroupRef: 'geo', except: ['192.0.2.0/24'] }] }] }), GROUP], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/unknown-entity', title: 'cilium/unknown-entity', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toEntities: ['world-ipv4'] }] })],
    expected: [
      ["error", "spec.egress[0].toEntities[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toEntities[0]: 'world-ipv4' is not a Cilium entity (it exists inside Cilium, but the API server refuses it; use world, or toCIDR 0.0.0.0/0 or ::/0); expected one of all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toEntities: ['world', 'kube-apiserver'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/removed-fields', title: 'cilium/removed-fields', target: T('1.19'),
    bad: [cnp({ endpointSelector: ES, ingress: [{ fromEndpoints: [{}], fromRequires: [{ matchLabels: { env: 'prod' } }] }] })],
    expected: [
      ["error", "spec.ingress[0].fromRequires", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].fromRequires: was removed in Cilium 1.19: the API server refuses the policy. Express the requirement in the rule's peers (every selector of fromRequires added to each peer selector) instead."],
    ],
    good: [cnp({ endpointSelector: ES, ingress: [{ fromEndpoints: [{ matchLabels: { env: 'prod' } }] }] })], goodTarget: T('1.19'),
  },
  {
    id: 'cilium/removed-fields', title: 'cilium/removed-fields (deprecated on 1.17: a warning)', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, ingress: [{ fromEndpoints: [{}], fromRequires: [{ matchLabels: { env: 'prod' } }] }] })],
    expected: [
      ["warning", "spec.ingress[0].fromRequires", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].fromRequires: is deprecated since Cilium 1.17 and removed in 1.19, where the API server refuses the policy. Express the requirement in the rule's peers instead."],
    ],
    good: [cnp({ endpointSelector: ES, ingress: [{ fromEndpoints: [{ matchLabels: { env: 'prod' } }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/removed-fields', title: 'cilium/removed-fields (Kafka rules on 1.20)', target: T('1.20'),
    bad: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('9092')], rules: { kafka: [{ topic: 'orders' }] } }] }] })],
    expected: [
      ["error", "spec.ingress[0].toPorts[0].rules.kafka", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].toPorts[0].rules.kafka: was removed in Cilium 1.20: the API server drops it, and the port rule then allows every request on its ports. Remove it, and enforce the protocol another way."],
    ],
    good: [cnp({ endpointSelector: ES, ingress: [{ toPorts: [{ ports: [P('9092')], rules: { kafka: [{ topic: 'orders' }] } }] }] })], goodTarget: T('1.19'),
  },
  {
    id: 'cilium/fqdn-selector-shape', title: 'cilium/fqdn-selector-shape', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'https://api.example.com' }] }, DNS_KUBE] })],
    expected: [
      ["error", "spec.egress[0].toFQDNs[0].matchName", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[0].matchName: an FQDN must not include a scheme. Did you mean 'api.example.com'?"],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }, DNS_KUBE] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/fqdn-multilevel-wildcard-version', title: 'cilium/fqdn-multilevel-wildcard-version', target: T('1.18'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchPattern: '**' }] }, DNS_KUBE] })],
    expected: [
      ["error", "spec.egress[0].toFQDNs[0].matchPattern", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[0].matchPattern: '**' matches every name only from Cilium 1.19; on the target's line only '*' does, and '**' matches single-label names only. Use '*'."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchPattern: '**' }] }, DNS_KUBE] })], goodTarget: T('1.19'),
  },
  {
    id: 'cilium/fqdn-match-all', title: 'cilium/fqdn-match-all (in toFQDNs only; rules.dns uses * for visibility)', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchPattern: '*' }, { matchPattern: '**.' }], toPorts: [{ ports: [P('443')] }] }, DNS_KUBE] })],
    expected: [
      ["warning", "spec.egress[0].toFQDNs[0].matchPattern", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[0].matchPattern: '*' matches every name, so the rule allows every address these pods have resolved: in effect the whole world. List the names (matchName) or a domain (matchPattern: '*.example.com'), or write toEntities: [world] if that is meant."],
      ["warning", "spec.egress[0].toFQDNs[1].matchPattern", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[1].matchPattern: '**.' matches every name, so the rule allows every address these pods have resolved: in effect the whole world. List the names (matchName) or a domain (matchPattern: '*.example.com'), or write toEntities: [world] if that is meant."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchPattern: '*.example.com' }], toPorts: [{ ports: [P('443')] }] }, DNS_KUBE] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/fqdn-in-cluster-name', title: 'cilium/fqdn-in-cluster-name', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'api.shop.svc.cluster.local' }, { matchPattern: '*.svc.prod.internal' }, { matchPattern: '*.cluster.local.' }] }, DNS_KUBE] })],
    expected: [
      ["warning", "spec.egress[0].toFQDNs[0].matchName", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[0].matchName: 'api.shop.svc.cluster.local' is a name inside the cluster; toFQDNs does not apply to in-cluster addresses, so this allows nothing towards pods Cilium manages (only towards endpoints outside the cluster, such as a headless Service over outside addresses). Select the pods with toEndpoints (or the Service with toServices)."],
      ["warning", "spec.egress[0].toFQDNs[1].matchPattern", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[1].matchPattern: '*.svc.prod.internal' is a name inside the cluster; toFQDNs does not apply to in-cluster addresses, so this allows nothing towards pods Cilium manages (only towards endpoints outside the cluster, such as a headless Service over outside addresses). Select the pods with toEndpoints (or the Service with toServices)."],
      ["warning", "spec.egress[0].toFQDNs[2].matchPattern", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[2].matchPattern: '*.cluster.local.' is a name inside the cluster; toFQDNs does not apply to in-cluster addresses, so this allows nothing towards pods Cilium manages (only towards endpoints outside the cluster, such as a headless Service over outside addresses). Select the pods with toEndpoints (or the Service with toServices)."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'svc.example.com' }, { matchName: 'cluster.local.example.com' }] }, DNS_KUBE] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/cnp-peer-implicit-namespace', title: 'cilium/cnp-peer-implicit-namespace', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [P('53', 'ANY')] }] }] })],
    expected: [
      ["error", "spec.egress[0].toEndpoints[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toEndpoints[0]: selects k8s-app: kube-dns without a namespace, so in a CiliumNetworkPolicy it matches only pods in the policy's own namespace 'shop' and no DNS pod (they run in kube-system). Add 'k8s:io.kubernetes.pod.namespace: kube-system' to matchLabels."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [P('53', 'ANY')] }] }] }, 'dns', 'kube-system'), ccnp({ endpointSelector: ES, egress: [{ toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }] }] })], goodTarget: T('1.17'),
  },
  {
    // cilium-cli's client-egress-only-dns.yaml names the DNS apps as a set; without its namespace requirement the
    // selector stays in the policy's namespace.
    id: 'cilium/cnp-peer-implicit-namespace', title: 'cilium/cnp-peer-implicit-namespace (k8s-app In a set)', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toEndpoints: [{ matchExpressions: [{ key: 'k8s:k8s-app', operator: 'In', values: ['kube-dns', 'coredns'] }] }], toPorts: [{ ports: [P('53', 'ANY')] }] }] })],
    expected: [
      ["error", "spec.egress[0].toEndpoints[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toEndpoints[0]: selects k8s-app In (kube-dns, coredns) without a namespace, so in a CiliumNetworkPolicy it matches only pods in the policy's own namespace 'shop' and no DNS pod (they run in kube-system). Add 'k8s:io.kubernetes.pod.namespace: kube-system' to matchLabels."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toEndpoints: [{ matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns', 'coredns'] }, { key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['kube-system'] }] }], toPorts: [{ ports: [P('53', 'ANY')] }] }] }), cnp({ endpointSelector: ES, egress: [{ toEndpoints: [{ matchExpressions: [{ key: 'k8s-app', operator: 'NotIn', values: ['kube-dns'] }] }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/cnp-endpoint-selector-namespace-ignored', title: 'cilium/cnp-endpoint-selector-namespace-ignored', target: T('1.17'),
    bad: [cnp({ endpointSelector: { matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'payments' } }, ingress: [{ fromEntities: ['world'] }] })],
    expected: [
      ["warning", "spec.endpointSelector.matchLabels", "CiliumNetworkPolicy 'shop/web' at spec.endpointSelector.matchLabels: names namespace 'payments', but a CiliumNetworkPolicy's endpointSelector always applies to pods of its own namespace 'shop'; Cilium drops the namespace match (\"CiliumNetworkPolicy contains illegal namespace match in EndpointSelector\"). Create the policy in that namespace, or use a CiliumClusterwideNetworkPolicy."],
    ],
    good: [cnp({ endpointSelector: { matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } }, ingress: [{ fromEntities: ['world'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/deny-only-policy-default-denies', title: 'cilium/deny-only-policy-default-denies', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] })],
    expected: [
      ["warning", "spec.egressDeny", "CiliumNetworkPolicy 'shop/web' at spec.egressDeny: has only egressDeny rules for these pods, and no policy allows their egress: the deny rules still switch the pods to egress default-deny, so all other egress is dropped (drop reason 133). Set enableDefaultDeny.egress: false to drop only what the deny rules match, or allow the egress that should keep flowing."],
    ],
    good: [cnp({ endpointSelector: ES, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] }), ccnp({ endpointSelector: {}, egress: [{ toEntities: ['all'] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/fqdn-without-dns-visibility', title: 'cilium/fqdn-without-dns-visibility', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] })],
    expected: [
      ["error", "spec.egress[0].toFQDNs", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs: allows matchName: api.example.com by name, but no egress rule for these pods has a DNS L7 rule (toPorts[].rules.dns): Cilium learns the IPs of toFQDNs names only from DNS answers its DNS proxy sees, so the names never resolve to an allowed IP and every connection is dropped. Add rules: {dns: [{matchPattern: '*'}]} to the rule that allows DNS (port 53), or add such a rule."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] }), ccnp({ endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] }, egress: [DNS_KUBE] }, 'dns')], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/fqdn-not-covered-by-dns-pattern', title: 'cilium/fqdn-not-covered-by-dns-pattern', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }, { ...DNS_KUBE, toPorts: [{ ports: [P('53', 'ANY')], rules: { dns: [{ matchPattern: '*.example.org' }] } }] }] })],
    expected: [
      ["error", "spec.egress[0].toFQDNs[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[0]: no DNS rule (rules.dns) for these pods lets through the queries for matchName: api.example.com: Cilium's DNS proxy refuses them, learns no IP, and toFQDNs allows nothing. Add matchName/matchPattern entries to rules.dns that cover them (matchPattern: '*' allows every query)."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }, { ...DNS_KUBE, toPorts: [{ ports: [P('53', 'ANY')], rules: { dns: [{ matchPattern: '*.example.com' }] } }] }] })], goodTarget: T('1.17'),
  },
  {
    id: 'cilium/fqdn-not-covered-by-dns-pattern', title: 'cilium/fqdn-not-covered-by-dns-pattern (before 1.19 a leading **. is one label)', target: T('1.18'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'a.b.example.com' }] }, { ...DNS_KUBE, toPorts: [{ ports: [P('53', 'ANY')], rules: { dns: [{ matchPattern: '**.example.com' }] } }] }] })],
    expected: [
      ["error", "spec.egress[0].toFQDNs[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toFQDNs[0]: no DNS rule (rules.dns) for these pods lets through the queries for matchName: a.b.example.com: Cilium's DNS proxy refuses them, learns no IP, and toFQDNs allows nothing. Add matchName/matchPattern entries to rules.dns that cover them (matchPattern: '*' allows every query)."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'a.b.example.com' }] }, { ...DNS_KUBE, toPorts: [{ ports: [P('53', 'ANY')], rules: { dns: [{ matchPattern: '**.example.com' }] } }] }] })], goodTarget: T('1.19'),
  },
  {
    id: 'cilium/dns-peer-misses-actual-resolver', title: 'cilium/dns-peer-misses-actual-resolver', target: T('1.17', { cluster: { nodeLocalDns: true } }),
    bad: [cnp({ endpointSelector: ES, egress: [DNS_KUBE] })],
    expected: [
      ["error", "spec.egress[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0]: no egress rule for these pods allows DNS (53/UDP and 53/TCP) to kube-system/k8s-app=node-local-dns (node-local-dns), which their queries go to: DNS lookups there time out (and toFQDNs learns no IP). Add a toEndpoints selector for kube-system/k8s-app=node-local-dns to the DNS allow rules (one rule per peer kind)."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ ...DNS_KUBE, toEndpoints: [...DNS_KUBE.toEndpoints, { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'node-local-dns' } }] }] })], goodTarget: T('1.17', { cluster: { nodeLocalDns: true } }),
  },
  {
    id: 'cilium/dns-udp-only', title: 'cilium/dns-udp-only', target: T('1.17'),
    bad: [
      cnp({ endpointSelector: ES, egress: [{ ...DNS_KUBE, toPorts: [{ ports: [P('53', 'UDP')], rules: { dns: [{ matchPattern: '*' }] } }] }] }),
      // An external resolver: no other entry allows 53/TCP to it.
      cnp({ endpointSelector: ES, egress: [{ toCIDR: ['192.0.2.53/32'], toPorts: [{ ports: [P('53', 'UDP')] }] }, { toCIDR: ['192.0.2.54/32'], toPorts: [{ ports: [P('53', 'TCP')] }] }] }, 'ext'),
    ],
    expected: [
      ["warning", "spec.egress[0].toPorts", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toPorts: allows DNS on 53/UDP only: a resolver answers with the truncated bit when the answer does not fit, and the client retries over TCP; node-local-dns (force_tcp) and AKS LocalDNS also query over TCP. Those lookups time out. Add {port: \"53\", protocol: TCP} to ports (Port.tcp(53) in TypeScript), or use protocol: ANY."],
      ["warning", "spec.egress[0].toPorts", "CiliumNetworkPolicy 'shop/ext' at spec.egress[0].toPorts: allows DNS on 53/UDP only: a resolver answers with the truncated bit when the answer does not fit, and the client retries over TCP; node-local-dns (force_tcp) and AKS LocalDNS also query over TCP. Those lookups time out. Add {port: \"53\", protocol: TCP} to ports (Port.tcp(53) in TypeScript), or use protocol: ANY."],
    ],
    good: [
      cnp({ endpointSelector: ES, egress: [DNS_KUBE] }, 'any'),
      // UDP and TCP in two entries to the same peers.
      cnp({ endpointSelector: ES, egress: [{ toCIDR: ['192.0.2.53/32'], toPorts: [{ ports: [P('53', 'UDP')] }] }, { toCIDR: ['192.0.2.53/32'], toPorts: [{ ports: [P('53', 'TCP')] }] }] }, 'ext'),
      // The TCP half towards kube-dns from a clusterwide policy for every pod.
      cnp({ endpointSelector: ES, egress: [{ ...DNS_KUBE, toPorts: [{ ports: [P('53', 'UDP')], rules: { dns: [{ matchPattern: '*' }] } }] }] }, 'udp'),
      ccnp({ endpointSelector: {}, egress: [{ toEntities: ['cluster'], toPorts: [{ ports: [P('53', 'TCP')] }] }] }, 'dns-tcp'),
      // The TCP half to every peer (entity all) reaches the external resolver too.
      cnp({ endpointSelector: ES, egress: [{ toCIDR: ['192.0.2.53/32'], toPorts: [{ ports: [P('53', 'UDP')] }] }, { toEntities: ['all'], toPorts: [{ ports: [P('53', 'TCP')] }] }] }, 'ext-all'),
      // Port 5353 is not DNS as far as netsec can tell.
      cnp({ endpointSelector: ES, egress: [{ toEntities: ['world'], toPorts: [{ ports: [P('5353', 'UDP')] }] }] }, 'mdns'),
    ],
    goodTarget: T('1.17'),
  },
  {
    id: 'cilium/l7-shadowed-by-l4', title: 'cilium/l7-shadowed-by-l4', target: T('1.17'),
    bad: [
      cnp({ endpointSelector: ES, ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'fe' } }], toPorts: [{ ports: [P('80')], rules: { http: [{ method: 'GET', path: '/public' }] } }] },
        { fromEndpoints: [{ matchLabels: { app: 'fe' } }], toPorts: [{ ports: [P('80', 'ANY')] }] },
      ] }),
      // An allow-everything clusterwide rule for every pod wildcards the HTTP rules of any policy.
      cnp({ endpointSelector: ES, egress: [{ toEntities: ['world'], toPorts: [{ ports: [P('8080')], rules: { http: [{ method: 'GET' }] } }] }] }, 'api'),
      ccnp({ endpointSelector: {}, egress: [{ toEntities: ['all'] }] }, 'allow-all'),
    ],
    expected: [
      ["warning", "spec.ingress[0].toPorts[0].rules.http", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].toPorts[0].rules.http: has no effect: spec.ingress[1] of this policy allows the same peers on 80/TCP without L7 rules, so Cilium lets every request through (\"the layer 7 portions of the latter rule will have no effect\", layer7.rst). Remove or narrow that allow, or give it the same HTTP rules."],
      ["warning", "spec.egress[0].toPorts[0].rules.http", "CiliumNetworkPolicy 'shop/api' at spec.egress[0].toPorts[0].rules.http: has no effect: CiliumClusterwideNetworkPolicy 'allow-all' at spec.egress[0] allows the same peers on 8080/TCP without L7 rules, so Cilium lets every request through (\"the layer 7 portions of the latter rule will have no effect\", layer7.rst). Remove or narrow that allow, or give it the same HTTP rules."],
    ],
    good: [
      cnp({ endpointSelector: ES, ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'fe' } }], toPorts: [{ ports: [P('80')], rules: { http: [{ method: 'GET', path: '/public' }] } }] },
        // Another port, another protocol, other peers, and a second HTTP rule (rules union): none wildcards the first.
        { fromEndpoints: [{ matchLabels: { app: 'fe' } }], toPorts: [{ ports: [P('443')] }, { ports: [P('80', 'UDP')] }] },
        { fromEndpoints: [{ matchLabels: { app: 'admin' } }], toPorts: [{ ports: [P('80')] }] },
        { fromEndpoints: [{ matchLabels: { app: 'fe' } }], toPorts: [{ ports: [P('80')], rules: { http: [{ method: 'POST' }] } }] },
        // An empty entry selects nothing.
        {},
      ] }),
      // A clusterwide allow for other pods only.
      ccnp({ endpointSelector: { matchLabels: { app: 'batch' } }, ingress: [{ fromEntities: ['all'] }] }, 'batch'),
    ],
    goodTarget: T('1.17'),
  },
  {
    id: 'cilium/enable-default-deny-not-honored', title: 'cilium/enable-default-deny-not-honored (L7 rules still refuse)', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, enableDefaultDeny: { egress: false }, egress: [DNS_KUBE, { toEntities: ['world'], toPorts: [{ ports: [P('80')], rules: { http: [{ method: 'GET' }] } }] }] })],
    expected: [
      ["warning", "spec.egress[1].toPorts[0].rules", "CiliumNetworkPolicy 'shop/web' at spec.egress[1].toPorts[0].rules: has HTTP rules in a rule with enableDefaultDeny.egress: false, which does not reach L7: on these ports and peers every request the rules do not match is still refused (HTTP 403). If the rules are meant for visibility only, add a match-all rule (http: [{}]); otherwise this is intended."],
    ],
    good: [
      // Match-all L7 rules (visibility), and L7 rules where default deny is on.
      cnp({ endpointSelector: ES, enableDefaultDeny: { egress: false }, egress: [DNS_KUBE, { toEntities: ['world'], toPorts: [{ ports: [P('80')], rules: { http: [{}] } }] }] }),
      cnp({ endpointSelector: ES, egress: [{ toEntities: ['world'], toPorts: [{ ports: [P('80')], rules: { http: [{ method: 'GET' }] } }] }] }, 'on'),
    ],
    goodTarget: T('1.17'),
  },
  {
    id: 'cilium/l7-http-on-non-http-port', title: 'cilium/l7-http-on-non-http-port', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [
      { toEntities: ['world'], toPorts: [{ ports: [P('443')], rules: { http: [{ method: 'GET' }] } }] },
      { toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [P('postgres')], rules: { http: [{}] } }] },
      { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [P('53')], rules: { http: [{ method: 'GET' }] } }] },
    ] })],
    expected: [
      ["warning", "spec.egress[0].toPorts[0].ports[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toPorts[0].ports[0]: carries HTTP rules, but port 443 is HTTPS (TLS): Cilium sends the port through Envoy's HTTP parser, which cannot read it, so connections fail. For TLS, match serverNames (SNI) instead of HTTP rules; otherwise put the HTTP rules on the port that serves plain HTTP."],
      ["warning", "spec.egress[1].toPorts[0].ports[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[1].toPorts[0].ports[0]: carries HTTP rules, but port 'postgres' is not named as HTTP (http..., grpc..., h2c...): Cilium sends the port through Envoy's HTTP parser, which cannot read other protocols, so connections fail. For TLS, match serverNames (SNI) instead of HTTP rules; otherwise put the HTTP rules on the port that serves plain HTTP."],
      ["warning", "spec.egress[2].toPorts[0].ports[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[2].toPorts[0].ports[0]: carries HTTP rules, but port 53 is DNS: Cilium sends the port through Envoy's HTTP parser, which cannot read it, so connections fail. For TLS, match serverNames (SNI) instead of HTTP rules; otherwise put the HTTP rules on the port that serves plain HTTP."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [
      // Cilium's l7-visibility-tls example: TLS terminated by Cilium, so the proxy reads HTTP on 443 (tls-visibility.rst).
      { toFQDNs: [{ matchName: 'httpbin.org' }], toPorts: [{ ports: [P('443')], terminatingTLS: { secret: { namespace: 'kube-system', name: 'httpbin-tls-data' } }, originatingTLS: { secret: { namespace: 'kube-system', name: 'tls-orig-data' } }, rules: { http: [{}] } }] },
      { toEntities: ['world'], toPorts: [{ ports: [P('80')], rules: { http: [{ method: 'GET' }] } }, { ports: [P('443')] }] },
      { toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [P('http-api')], rules: { http: [{}] } }, { ports: [P('grpc')], rules: { http: [{}] } }] },
    ] })],
    goodTarget: T('1.17'),
  },
  {
    id: 'cilium/cidr-does-not-match-cluster', title: 'cilium/cidr-does-not-match-cluster', target: T('1.17', { cluster: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] } }),
    bad: [cnp({ endpointSelector: ES, egress: [{ toCIDR: ['10.244.1.0/24'] }], ingress: [{ fromCIDRSet: [{ cidr: '10.96.0.10/32' }] }] })],
    expected: [
      ["warning", "spec.egress[0].toCIDR[0]", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toCIDR[0]: 10.244.1.0/24 lies inside the pod CIDR 10.244.0.0/16, but CIDR rules never match pods or nodes that Cilium manages (layer3.rst), so this allows nothing. Use toEndpoints/fromEndpoints for them, and keep CIDRs for addresses outside the cluster."],
      ["warning", "spec.ingress[0].fromCIDRSet[0].cidr", "CiliumNetworkPolicy 'shop/web' at spec.ingress[0].fromCIDRSet[0].cidr: 10.96.0.10/32 lies inside the service CIDR 10.96.0.0/12, but CIDR rules never match pods or nodes that Cilium manages (layer3.rst), so this allows nothing. Use toServices or toEndpoints of the Service's pods for them, and keep CIDRs for addresses outside the cluster."],
    ],
    // Outside the cluster's ranges; wider ranges meant for the outside (the internet, a VPC); a deny (a deny of a
    // cluster range is cilium/deny-cluster-infrastructure's).
    good: [cnp({ endpointSelector: ES, egress: [{ toCIDR: ['192.0.2.0/24', '0.0.0.0/0'] }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] }] }], egressDeny: [{ toCIDR: ['10.244.0.0/16'] }] })],
    goodTarget: T('1.17', { cluster: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] } }),
  },
  {
    id: 'cilium/cidrgroup-ref-missing', title: 'cilium/cidrgroup-ref-missing', target: T('1.17'),
    bad: [cnp({ endpointSelector: ES, egress: [{ toCIDRSet: [{ cidrGroupRef: 'geo' }] }] })],
    expected: [
      ["warning", "spec.egress[0].toCIDRSet[0].cidrGroupRef", "CiliumNetworkPolicy 'shop/web' at spec.egress[0].toCIDRSet[0].cidrGroupRef: names CiliumCIDRGroup 'geo', which is not among the objects of this target: since Cilium 1.16 a rule whose groups are all missing selects nothing (an allow allows nothing; a deny denies nothing, yet still switches the pods to default-deny). Add the CiliumCIDRGroup or fix the name; if the group is created elsewhere, suppress this rule with that reason."],
    ],
    good: [cnp({ endpointSelector: ES, egress: [{ toCIDRSet: [{ cidrGroupRef: 'geo' }] }] }), GROUP], goodTarget: T('1.17'),
  },];

describe('Cilium agent-side rules', () => {
  test.each(CASES)('$title: triggered', ({ id, target, bad, expected }) => {
    expect(findings(bad, target, id)).toEqual(expected);
  });
  test.each(CASES)('$title: not triggered', ({ id, good, goodTarget }) => {
    expect(findings(good, goodTarget, id)).toEqual([]);
  });

  test('a clusterwide DNS rule helps the pods of the namespaces it selects, and only those', () => {
    const fqdnPolicy = cnp({ endpointSelector: ES, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] });
    const dnsFor = (operator: string, values: string[]) => ccnp({ endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator, values }] }, egress: [DNS_KUBE] }, 'dns');
    expect(findings([fqdnPolicy, dnsFor('In', ['shop', 'cart'])], T('1.17'), 'cilium/fqdn-without-dns-visibility')).toEqual([]);
    // A DNS rule that certainly excludes the namespace leaves the error as it is.
    expect(findings([fqdnPolicy, dnsFor('NotIn', ['shop'])], T('1.17'), 'cilium/fqdn-without-dns-visibility').map((f) => [f[0], f[1]])).toEqual([['error', 'spec.egress[0].toFQDNs']]);
    expect(findings([fqdnPolicy, dnsFor('In', ['cart'])], T('1.17'), 'cilium/fqdn-without-dns-visibility').map((f) => [f[0], f[1]])).toEqual([['error', 'spec.egress[0].toFQDNs']]);
  });

  // cilium-cli's client-egress-l7 test: the DNS rule selects kind=client, the FQDN rule other=client, and the client2
  // pods carry both (connectivity/check/deployment.go). The selectors alone cannot say so: a warning naming the rule.
  test('a DNS rule of a policy whose selector may pick the same pods makes the missing DNS visibility a warning', () => {
    const fqdn = cnp({ endpointSelector: { matchLabels: { other: 'client' } }, egress: [{ toFQDNs: [{ matchName: 'one.one.one.one.' }] }] }, 'l7');
    const dns = cnp({ endpointSelector: { matchLabels: { kind: 'client' } }, egress: [DNS_KUBE] }, 'dns');
    expect(findings([fqdn, dns], T('1.17'), 'cilium/fqdn-without-dns-visibility')).toEqual([[
      'warning',
      'spec.egress[0].toFQDNs',
      "CiliumNetworkPolicy 'shop/l7' at spec.egress[0].toFQDNs: allows matchName: one.one.one.one. by name, but no egress rule for these pods has a DNS L7 rule (toPorts[].rules.dns): Cilium learns the IPs of toFQDNs names only from DNS answers its DNS proxy sees, so the names never resolve to an allowed IP and every connection is dropped. Add rules: {dns: [{matchPattern: '*'}]} to the rule that allows DNS (port 53), or add such a rule. CiliumNetworkPolicy 'shop/dns' has a DNS L7 rule for pods selected by other labels (spec.endpointSelector); if every pod here carries them too, the names resolve, which netsec cannot tell from the selectors.",
    ]]);
    // Selectors that contradict each other (kind=client against kind=server) cannot share a pod: still an error.
    const server = cnp({ endpointSelector: { matchLabels: { kind: 'server' } }, egress: [{ toFQDNs: [{ matchName: 'one.one.one.one.' }] }] }, 'l7');
    expect(findings([server, dns], T('1.17'), 'cilium/fqdn-without-dns-visibility').map((f) => f[0])).toEqual(['error']);
  });

  // cilium-cli's client-egress-only-dns.yaml (v1.20.0-pre.3) selects kube-dns with a cluster-name requirement; the
  // resolver pods are in the local cluster, whose name is not known offline, so the requirement counts as met.
  test('a DNS rule that pins the local cluster name still reaches kube-dns', () => {
    const dns = { ...DNS_KUBE, toEndpoints: [{ matchExpressions: [
      { key: 'k8s-app', operator: 'In', values: ['kube-dns', 'coredns', 'node-local-dns', 'nodelocaldns'] },
      { key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['kube-system'] },
      { key: 'io.cilium.k8s.policy.cluster', operator: 'In', values: ['prod-eu'] },
    ] }] };
    expect(findings([cnp({ endpointSelector: ES, egress: [dns] })], T('1.17'), 'cilium/dns-peer-misses-actual-resolver')).toEqual([]);
  });

  test('enableDefaultDeny: false under Helm enableNonDefaultDenyPolicies: false is ignored by the agent (rule_validation.go Sanitize)', () => {
    const policy = ccnp({ endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidr: '198.51.100.0/24' }] }] }, 'geo');
    const run = (values: Record<string, unknown>) => lint(new ManifestIndex(new Target(T('1.17')), [{ object: policy, applied: true }], { helmValues: new Map([['cilium', values]]) }))
      .findings.filter((f) => f.ruleId === 'cilium/enable-default-deny-not-honored').map((f) => [f.path, f.message]);
    expect(run({ enableNonDefaultDenyPolicies: false })).toEqual([
      ['spec.enableDefaultDeny.egress', "CiliumClusterwideNetworkPolicy 'geo' at spec.enableDefaultDeny.egress: is false, but the Cilium Helm values set enableNonDefaultDenyPolicies: false, so the agent ignores it and puts the selected pods into egress default-deny: all egress no rule allows is dropped. Set enableNonDefaultDenyPolicies: true in the Cilium values, or allow the egress that must keep flowing."],
    ]);
    expect(run({ enableNonDefaultDenyPolicies: true })).toEqual([]);
    expect(run({})).toEqual([]);
    // 1.16 has no such flag and always honours the field (the chart value is itself refused there).
    expect(lint(new ManifestIndex(new Target(T('1.16')), [{ object: policy, applied: true }], { helmValues: new Map([['cilium', { enableNonDefaultDenyPolicies: false }]]) }))
      .findings.filter((f) => f.ruleId === 'cilium/enable-default-deny-not-honored')).toEqual([]);
  });

  // cilium-cli's node-local-dns test policy allows DNS to the node-local-dns pods only; the LRP is another file.
  test('DNS allowed to node-local-dns alone: a warning while the target does not say where queries go, an error when it says no cache', () => {
    const toCache = { ...DNS_KUBE, toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'node-local-dns' } }] };
    const policy = cnp({ endpointSelector: ES, egress: [toCache] });
    const unknown = lint(new ManifestIndex(new Target(T('1.17')), [{ object: policy, applied: true }])).findings.filter((f) => f.ruleId === 'cilium/dns-peer-misses-actual-resolver');
    expect(unknown.map((f) => [f.severity, f.message])).toEqual([[
      'warning',
      "CiliumNetworkPolicy 'shop/web' at spec.egress[0]: no egress rule for these pods allows DNS (53/UDP and 53/TCP) to kube-system/k8s-app=kube-dns (kube-dns), which their queries go to: DNS lookups there time out (and toFQDNs learns no IP). These rules allow the node-local-dns pods instead: if NodeLocal DNSCache runs behind a Local Redirect Policy for kube-dns, validate that CiliumLocalRedirectPolicy together with the policies. Add a toEndpoints selector for kube-system/k8s-app=kube-dns to the DNS allow rules (one rule per peer kind).",
    ]]);
    expect(findings([policy], T('1.17', { cluster: { nodeLocalDns: false } }), 'cilium/dns-peer-misses-actual-resolver').map((f) => f[0])).toEqual(['error']);
    // With the LRP among the objects, queries go to its backends (local-redirect-policy.rst); kube-dns only serves
    // where no cache runs.
    const lrp = { apiVersion: 'cilium.io/v2', kind: 'CiliumLocalRedirectPolicy', metadata: { name: 'nodelocaldns', namespace: 'kube-system' }, spec: {
      redirectFrontend: { serviceMatcher: { serviceName: 'kube-dns', namespace: 'kube-system' } },
      redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: [{ port: '53', name: 'dns', protocol: 'UDP' }, { port: '53', name: 'dns-tcp', protocol: 'TCP' }] },
    } };
    expect(findings([policy, lrp], T('1.17'), 'cilium/dns-peer-misses-actual-resolver')).toEqual([]);
  });

  test('every rule of the Cilium Sanitize port and the DNS path has a case', () => {
    const mine = [...CILIUM_SANITIZE_RULES, ...CILIUM_DNS_RULES, ...CILIUM_L7_RULES, cidrDoesNotMatchCluster].map((r) => r.id);
    expect(mine.filter((id) => !RULES.some((r) => r.id === id))).toEqual([]);
    expect(mine.filter((id) => !CASES.some((c) => c.id === id))).toEqual([]);
  });
});

// Seed 004 (shared/seeds/004_e58d7e25ec874f71.txt, the AKS blog post's fqdn-filtering-policy.yaml), verbatim: toFQDNs
// with DNS allowed to kube-dns on port 53/ANY, but no rules.dns, so the DNS proxy never sees the answers.
const SLEEP_NETWORK_POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: sleep-network-policy
  namespace: foo
spec:
  endpointSelector:
    matchLabels:
      app: sleep
  egress:
  - toFQDNs:
    - matchPattern: "*.google.com"
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": foo
        "k8s:app": helloworld
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
`;

test("seed 004's sleep-network-policy reports cilium/fqdn-without-dns-visibility, and nothing else", () => {
  const objects = parseAllDocuments(SLEEP_NETWORK_POLICY).map((d) => d.toJSON() as Obj);
  const manifests: Manifest[] = objects.map((object) => ({ object, applied: true, location: { file: 'fqdn-filtering-policy.yaml', line: 1, column: 1 } }));
  const found = lint(new ManifestIndex(new Target(T('1.17')), manifests)).findings;
  expect(found.map((f) => [f.ruleId, f.severity, f.path, f.message])).toEqual([
    ['cilium/fqdn-without-dns-visibility', 'error', 'spec.egress[0].toFQDNs', "CiliumNetworkPolicy 'foo/sleep-network-policy' at spec.egress[0].toFQDNs: allows matchPattern: *.google.com by name, but no egress rule for these pods has a DNS L7 rule (toPorts[].rules.dns); the rule that allows port 53 has none: Cilium learns the IPs of toFQDNs names only from DNS answers its DNS proxy sees, so the names never resolve to an allowed IP and every connection is dropped. Add rules: {dns: [{matchPattern: '*'}]} to the rule that allows DNS (port 53), or add such a rule."],
  ]);
});
