import { ApiObject, JsonPatch } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import {
  CiliumNetworkPolicy,
  ClusterNetwork,
  DnsAccess,
  DnsPatterns,
  EndpointSelector,
  Entity,
  FqdnSelector,
  HttpRule,
  ManifestIndex,
  NetsecChart,
  NodeLocalDnsCache,
  NodeLocalDnsMode,
  Peer,
  PolicyDefault,
  Port,
  Protocol,
  Target,
  lint,
} from '../../src/index.js';
import { constructErrors, findOne, synthValid, targetChart } from '../util.js';

const cilium = (line = '1.17', cluster: ClusterNetwork = {}) => targetChart({ name: 'aks-cilium', kubernetes: '1.30', cilium: line, cluster });
const LINK_LOCAL = { nodeLocalDns: { mode: NodeLocalDnsMode.LINK_LOCAL, addresses: ['169.254.20.10'] } };

/** The DNS rule netsec adds, as the seed 004 write-up has it (with UDP and TCP spelled out instead of ANY). */
function dnsRule(resolvers: string[], dns: Record<string, string>[] = [{ matchPattern: '*' }]) {
  return {
    toEndpoints: resolvers.map((app) => ({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': app } })),
    toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns } }],
  };
}

function secureWorkload(chart: NetsecChart, props: ConstructorParameters<typeof CiliumNetworkPolicy>[2] = {}) {
  return new CiliumNetworkPolicy(chart, 'SecureWorkloadPolicy', { endpointSelector: EndpointSelector.labels({ app: 'critical-workload' }), ...props })
    .allowEgress({ to: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
}

describe('seed 004: FQDN policy with NodeLocal DNSCache behind a Local Redirect Policy', () => {
  test('the DNS rule selects kube-dns and node-local-dns, and the FQDN rule is kept (snapshot)', async () => {
    const { app, chart } = cilium();
    new NodeLocalDnsCache(chart, 'Cache');
    secureWorkload(chart);
    const { objects } = synthValid(app);
    const policy = findOne(objects, 'CiliumNetworkPolicy', 'secure-workload-policy');
    expect(policy.metadata).toEqual({ name: 'secure-workload-policy', namespace: 'default' });
    expect(policy.spec.endpointSelector).toEqual({ matchLabels: { app: 'critical-workload' } });
    expect(policy.spec.egress).toEqual([
      { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      dnsRule(['kube-dns', 'node-local-dns']),
    ]);
    await expect(stringify(policy)).toMatchFileSnapshot('__snapshots__/secure-workload-policy.k8s.yaml');
  });

  test.each([
    ['no cache anywhere', false, 'none', ['kube-dns']],
    ['target.cluster.nodeLocalDns', true, 'none', ['kube-dns', 'node-local-dns']],
    ['a NodeLocalDnsCache in another chart of the target, built after the policy', false, 'same-target', ['kube-dns', 'node-local-dns']],
    ['a NodeLocalDnsCache in another target only', false, 'other-target', ['kube-dns']],
  ] as const)('the DNS rule gains node-local-dns exactly when the cache is on: %s', (_title, nodeLocalDns, cache, resolvers) => {
    const { app, chart, target } = cilium('1.17', { nodeLocalDns });
    secureWorkload(chart);
    if (cache === 'same-target') new NodeLocalDnsCache(new NetsecChart(app, 'dns', { target }), 'Cache');
    if (cache === 'other-target') {
      new NodeLocalDnsCache(new NetsecChart(app, 'other', { target: new Target({ name: 'other', kubernetes: '1.30', cilium: '1.17' }) }), 'Cache');
    }
    const policy = findOne(synthValid(app).objects, 'CiliumNetworkPolicy');
    expect(policy.spec.egress[1]).toEqual(dnsRule([...resolvers]));
  });

  test('the DNS rule follows a cache with custom labels and namespace', () => {
    const { app, chart } = cilium();
    new NodeLocalDnsCache(chart, 'Cache', { namespace: 'dns-system', name: 'nodelocaldns', clusterDnsLabels: { 'k8s-app': 'coredns' } });
    secureWorkload(chart);
    const policy = findOne(synthValid(app).objects, 'CiliumNetworkPolicy');
    expect(policy.spec.egress[1].toEndpoints).toEqual([
      { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dns-system', 'k8s:k8s-app': 'coredns' } },
      { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'dns-system', 'k8s:k8s-app': 'nodelocaldns' } },
    ]);
  });

  test("the user's own dual-label DNS rule (DnsAccess.MANUAL) is accepted as it is", () => {
    const { app, chart } = cilium();
    new NodeLocalDnsCache(chart, 'Cache');
    secureWorkload(chart, { dns: DnsAccess.MANUAL }).allowEgress({
      to: [Peer.podsInNamespace('kube-system', { 'k8s:k8s-app': 'kube-dns' }), Peer.podsInNamespace('kube-system', { 'k8s:k8s-app': 'node-local-dns' })],
      ports: [Port.anyProtocol(53)],
      dns: [FqdnSelector.matchPattern('*')],
    });
    const policy = findOne(synthValid(app).objects, 'CiliumNetworkPolicy');
    expect(policy.spec.egress).toHaveLength(2);
    expect(policy.spec.egress[1].toPorts[0].ports).toEqual([{ port: '53', protocol: 'ANY' }]);
  });

  test('the kube-dns-only DNS rule that breaks with the cache (cilium#24654) fails synthesis, saying why', () => {
    const { app, chart } = cilium();
    new NodeLocalDnsCache(chart, 'Cache');
    secureWorkload(chart, { dns: DnsAccess.MANUAL }).allowEgress({
      to: [Peer.podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' })],
      ports: [Port.anyProtocol(53)],
      dns: [FqdnSelector.matchPattern('*')],
    });
    expect(constructErrors(app)).toEqual([
      "[test/SecureWorkloadPolicy] cilium/dns-peer-misses-actual-resolver: CiliumNetworkPolicy 'default/secure-workload-policy': no egress rule for these pods allows DNS (53/UDP and 53/TCP) to kube-system/k8s-app=node-local-dns (node-local-dns), which their queries go to: DNS lookups there time out (and toFQDNs learns no IP). NodeLocal DNSCache is on in this target, so the Local Redirect Policy sends the queries to node-local-dns, not to kube-dns (cilium#24654). Add a toEndpoints selector for kube-system/k8s-app=node-local-dns to the DNS allow rules (one rule per peer kind). In netsec: dns is manual (DnsAccess.MANUAL); add such a rule, or use dns: auto (DnsAccess.AUTO).",
    ]);
  });

  test('a manual DNS rule whose patterns miss an FQDN fails synthesis', () => {
    const { app, chart } = cilium();
    secureWorkload(chart, { dns: DnsAccess.MANUAL }).allowEgress({
      to: [Peer.podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' })],
      ports: [Port.udp(53), Port.tcp(53)],
      dns: [FqdnSelector.matchPattern('*.example.org')],
    });
    expect(constructErrors(app)).toEqual([
      "[test/SecureWorkloadPolicy] cilium/fqdn-not-covered-by-dns-pattern: CiliumNetworkPolicy 'default/secure-workload-policy': no DNS rule (rules.dns) for these pods lets through the queries for matchName: api.example.com: Cilium's DNS proxy refuses them, learns no IP, and toFQDNs allows nothing. Add matchName/matchPattern entries to rules.dns that cover them (matchPattern: '*' allows every query). In netsec: or use dns: auto (DnsAccess.AUTO).",
    ]);
  });
});

/** The DNS rules netsec adds for a link-local cache on 169.254.20.10: to the node (entity host) and to the address itself (labeled world where Cilium does not know it as a node address). */
function linkLocalDnsRules(dns: Record<string, string>[] = [{ matchPattern: '*' }]) {
  const toPorts = [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns } }];
  return [{ toEntities: ['host'], toPorts }, { toCIDRSet: [{ cidr: '169.254.20.10/32' }], toPorts }];
}

describe('NodeLocal DNSCache on a link-local address of each node (classic hostNetwork cache, AKS LocalDNS)', () => {
  test('the DNS rules allow kube-dns, entity host and the cache address, each in its own rule', () => {
    const { app, chart } = cilium('1.17', LINK_LOCAL);
    secureWorkload(chart);
    expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec.egress).toEqual([
      { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      dnsRule(['kube-dns']),
      ...linkLocalDnsRules(),
    ]);
  });

  test('AKS LocalDNS: both addresses in one CIDR rule', () => {
    const { app, chart } = cilium('1.18', { nodeLocalDns: { mode: NodeLocalDnsMode.LINK_LOCAL, addresses: ['169.254.10.10', '169.254.10.11'] } });
    secureWorkload(chart);
    expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec.egress[3].toCIDRSet).toEqual([{ cidr: '169.254.10.10/32' }, { cidr: '169.254.10.11/32' }]);
  });

  test.each([true, { mode: NodeLocalDnsMode.LRP }])('nodeLocalDns %o keeps selecting the cache pods (LRP mode)', (nodeLocalDns) => {
    const { app, chart } = cilium('1.17', { nodeLocalDns });
    secureWorkload(chart);
    expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec.egress.slice(1)).toEqual([dnsRule(['kube-dns', 'node-local-dns'])]);
  });

  test('DnsPatterns.FQDNS puts the same patterns on every DNS rule', () => {
    const { app, chart } = cilium('1.17', LINK_LOCAL);
    secureWorkload(chart, { dnsPatterns: DnsPatterns.FQDNS });
    const egress = findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec.egress;
    const patterns = egress[1].toPorts[0].rules.dns;
    expect(patterns).toContainEqual({ matchName: 'api.example.com' });
    expect(patterns).not.toContainEqual({ matchPattern: '*' });
    expect(egress.slice(2)).toEqual(linkLocalDnsRules(patterns));
  });

  test('a manual DNS rule to kube-dns only fails synthesis, naming entity host, the address and why', () => {
    const { app, chart } = cilium('1.17', LINK_LOCAL);
    secureWorkload(chart, { dns: DnsAccess.MANUAL }).allowEgress({
      to: [Peer.podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' })],
      ports: [Port.anyProtocol(53)],
      dns: [FqdnSelector.matchPattern('*')],
    });
    expect(constructErrors(app)).toEqual([
      "[test/SecureWorkloadPolicy] cilium/dns-peer-misses-actual-resolver: CiliumNetworkPolicy 'default/secure-workload-policy': no egress rule for these pods allows DNS (53/UDP and 53/TCP) to entity host (node-local-dns) and 169.254.20.10 (node-local-dns), which their queries go to: DNS lookups there time out (and toFQDNs learns no IP). NodeLocal DNSCache listens on an address of each node in this target (cluster.nodeLocalDns mode link-local), so the queries go to the node itself, which no pod selector matches: Cilium labels that address entity host, or world where it is not a known node address, so a rule must allow both entity host and the address. Add toEntities: [host] and toCIDR: [169.254.20.10/32] to the DNS allow rules (one rule per peer kind). In netsec: dns is manual (DnsAccess.MANUAL); add such a rule, or use dns: auto (DnsAccess.AUTO).",
    ]);
  });

  test.each([
    ['entity host and the /32', Peer.entity(Entity.HOST), Peer.cidr('169.254.20.10/32')],
    ['entity cluster (which holds the node) and the /16', Peer.entity(Entity.CLUSTER), Peer.cidr('169.254.0.0/16')],
  ])('a manual DNS rule pair to %s is accepted', (_title, node, address) => {
    const { app, chart } = cilium('1.17', LINK_LOCAL);
    secureWorkload(chart, { dns: DnsAccess.MANUAL })
      .allowEgress({ to: [Peer.podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' })], ports: [Port.anyProtocol(53)], dns: [FqdnSelector.matchPattern('*')] })
      .allowEgress({ to: [node], ports: [Port.anyProtocol(53)], dns: [FqdnSelector.matchPattern('*')] })
      .allowEgress({ to: [address], ports: [Port.anyProtocol(53)], dns: [FqdnSelector.matchPattern('*')] });
    expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec.egress).toHaveLength(4);
  });

  test.each([
    ['entity world only', [Peer.entity(Entity.WORLD)], 'entity host (node-local-dns)'],
    ['entity host only', [Peer.entity(Entity.HOST)], '169.254.20.10 (node-local-dns)'],
    ['a CIDR that excepts the address', [Peer.entity(Entity.HOST), Peer.cidr('169.254.0.0/16', ['169.254.20.0/24'])], '169.254.20.10 (node-local-dns)'],
  ])('a manual rule set with %s misses part of the link-local path', (_title, peers, missing) => {
    const { app, chart } = cilium('1.17', LINK_LOCAL);
    const policy = secureWorkload(chart, { dns: DnsAccess.MANUAL })
      .allowEgress({ to: [Peer.podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' })], ports: [Port.anyProtocol(53)], dns: [FqdnSelector.matchPattern('*')] });
    for (const peer of peers) policy.allowEgress({ to: [peer], ports: [Port.anyProtocol(53)], dns: [FqdnSelector.matchPattern('*')] });
    expect(constructErrors(app)[0]).toContain(`cilium/dns-peer-misses-actual-resolver: CiliumNetworkPolicy 'default/secure-workload-policy': no egress rule for these pods allows DNS (53/UDP and 53/TCP) to ${missing}, which their queries go to`);
  });
});

describe('egress default-deny', () => {
  test('seed 001: deny-all egress renders egress: [{}] and warns that DNS is gone', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'ProductpageDenyAll', {
      endpointSelector: EndpointSelector.labels({ app: 'productpage' }),
      egressDefault: PolicyDefault.DENY,
      dns: DnsAccess.NONE,
    });
    const result = synthValid(app);
    expect(findOne(result.objects, 'CiliumNetworkPolicy', 'productpage-deny-all').spec).toEqual({
      endpointSelector: { matchLabels: { app: 'productpage' } },
      egress: [{}],
    });
    // The lint finding on the empty rule is suppressed by the construct, with its reason, so a reviewer still sees it.
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "CiliumNetworkPolicy 'default/productpage-deny-all' puts its pods in egress default-deny with dns: none (DnsAccess.NONE); their DNS lookups time out (intended for a deny-all).",
      "cilium/egress-empty-rule-denies-all suppressed (egressDefault: deny (PolicyDefault.DENY) asks for deny-all, which Cilium writes as an empty rule): CiliumNetworkPolicy 'default/productpage-deny-all' at spec.egress[0]: is an empty egress rule: in Cilium it allows nothing and switches the selected pods to egress default-deny, so all their egress traffic that no other rule allows is dropped (in a Kubernetes NetworkPolicy the same YAML means \"allow all\"). Keep it only if deny-all is intended; allow-all is toEntities: [all].",
    ]);
  });

  test('default-deny with automatic DNS allows only DNS', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'Lockdown', { egressDefault: PolicyDefault.DENY, ingressDefault: PolicyDefault.DENY });
    const spec = findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec;
    expect(spec.egress).toEqual([dnsRule(['kube-dns'])]);
    expect(spec.ingress).toEqual([{}]);
  });

  test('an allow rule alone already makes egress default-deny, so DNS is added', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'ToReviews', { endpointSelector: EndpointSelector.labels({ app: 'productpage' }) })
      .allowEgress({ to: [Peer.podsInPolicyNamespace({ app: 'reviews' })] });
    const spec = findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec;
    expect(spec.egress).toEqual([{ toEndpoints: [{ matchLabels: { app: 'reviews' } }] }, dnsRule(['kube-dns'])]);
  });

  test('an ingress-only policy gets no DNS rule', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'L7', { endpointSelector: EndpointSelector.labels({ type: 'l7-test' }) }).allowIngress({
      from: [Peer.podsInPolicyNamespace({ org: 'client-pod' })],
      ports: [Port.tcp(80)],
      http: [HttpRule.get('/discount')],
    });
    const spec = findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec;
    expect(spec.egress).toBeUndefined();
    // Seed 003: GET /discount from org=client-pod.
    expect(spec.ingress).toEqual([
      { fromEndpoints: [{ matchLabels: { org: 'client-pod' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/discount' }] } }] },
    ]);
  });

  test('a deny-only direction without an explicit default fails synthesis (the egress-block outage)', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'BlockImds').denyEgress({ to: [Peer.cidr('169.254.169.254/32')] });
    expect(constructErrors(app)).toEqual([
      "[test/BlockImds] cilium/deny-only-policy-default-denies: CiliumNetworkPolicy 'default/block-imds': has only egressDeny rules for these pods, and no policy allows their egress: the deny rules still switch the pods to egress default-deny, so all other egress is dropped (drop reason 133). Set enableDefaultDeny.egress: false to drop only what the deny rules match, or allow the egress that should keep flowing. In netsec: set egressDefault to allow (PolicyDefault.ALLOW; enableDefaultDeny.egress: false) to drop only what the deny rules match, or to deny (PolicyDefault.DENY) if dropping everything else is intended.",
    ]);
  });

  test('PolicyDefault.ALLOW renders enableDefaultDeny and needs no DNS rule', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'BlockImds', { egressDefault: PolicyDefault.ALLOW }).denyEgress({ to: [Peer.cidr('169.254.169.254/32')], ports: [Port.tcp(80)] });
    expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec).toEqual({
      endpointSelector: {},
      egressDeny: [{ toCIDRSet: [{ cidr: '169.254.169.254/32' }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
      enableDefaultDeny: { egress: false },
    });
  });

  test('a policy with no rules fails synthesis', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'Empty');
    expect(constructErrors(app)).toEqual([
      "[test/Empty] cilium/rule-shape: CiliumNetworkPolicy 'default/empty': has none of ingress, ingressDeny, egress and egressDeny; Cilium's agent refuses such a rule (\"rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny\"), and the whole policy is then not enforced. Add a rule, or remove it. In netsec: add a rule, or set egressDefault or ingressDefault to deny (PolicyDefault.DENY).",
    ]);
  });

  test('DnsAccess.NONE with toFQDNs fails synthesis', () => {
    const { app, chart } = cilium();
    secureWorkload(chart, { dns: DnsAccess.NONE });
    expect(constructErrors(app)).toEqual([
      "[test/SecureWorkloadPolicy] cilium/fqdn-without-dns-visibility: CiliumNetworkPolicy 'default/secure-workload-policy': allows matchName: api.example.com by name, but no egress rule for these pods has a DNS L7 rule (toPorts[].rules.dns): Cilium learns the IPs of toFQDNs names only from DNS answers its DNS proxy sees, so the names never resolve to an allowed IP and every connection is dropped. Add rules: {dns: [{matchPattern: '*'}]} to the rule that allows DNS (port 53), or add such a rule. In netsec: dns is none (DnsAccess.NONE); use dns: auto (DnsAccess.AUTO).",
    ]);
  });
});

describe('FQDNs and DNS patterns', () => {
  test('seed 002: a toFQDNs pattern without ports, DNS with matchPattern "*"', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'Echo', { endpointSelector: EndpointSelector.labels({ app: 'net' }) }).allowEgress({ to: [Peer.fqdnPattern('*.k8s.intra')] });
    const spec = findOne(synthValid(app).objects, 'CiliumNetworkPolicy', 'echo').spec;
    expect(spec.egress).toEqual([{ toFQDNs: [{ matchPattern: '*.k8s.intra' }] }, dnsRule(['kube-dns'])]);
  });

  test('DnsPatterns.FQDNS lets through only the FQDNs and their search-list expansions', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'Api', { dnsPatterns: DnsPatterns.FQDNS })
      .allowEgress({ to: [Peer.fqdn('api.example.com'), Peer.fqdnPattern('*.example.com')], ports: [Port.tcp(443)] })
      .allowEgress({ to: [Peer.fqdn('ifconfig.me')] });
    const spec = findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec;
    expect(spec.egress[2].toPorts[0].rules.dns).toEqual([
      { matchName: 'ifconfig.me' },
      { matchName: 'ifconfig.me.cluster.local' },
      { matchName: 'ifconfig.me.svc.cluster.local' },
      { matchPattern: '*.example.com' },
      { matchPattern: '*.example.com.*.svc.cluster.local' },
      { matchPattern: '*.example.com.cluster.local' },
      { matchPattern: '*.example.com.svc.cluster.local' },
      { matchPattern: 'ifconfig.me.*.svc.cluster.local' },
    ]);
  });

  test('DnsPatterns.FQDNS without FQDNs allows port 53 without a DNS L7 rule', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'Lockdown', { egressDefault: PolicyDefault.DENY, dnsPatterns: DnsPatterns.FQDNS });
    const spec = findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec;
    expect(spec.egress[0].toPorts).toEqual([{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }] }]);
  });

  test("'**.' is refused below Cilium 1.19 and accepted from 1.19 (gate CILIUM_FQDN_MULTILEVEL_WILDCARD)", () => {
    const below = cilium('1.18');
    expect(() => new CiliumNetworkPolicy(below.chart, 'Multi').allowEgress({ to: [Peer.fqdnPattern('**.example.com')] })).toThrow(
      "cilium/fqdn-multilevel-wildcard-version: CiliumNetworkPolicy 'default/multi' at egress[0].toFQDNs[0].matchPattern: '**.example.com' matches any number of subdomain levels only from Cilium 1.19; on the target's line it matches exactly one label, like '*.example.com'. Use '*.example.com' and list deeper names separately, or run Cilium 1.19 or later.",
    );
    expect(() => new CiliumNetworkPolicy(below.chart, 'MultiDns', { dns: DnsAccess.MANUAL }).allowEgress({ ports: [Port.udp(53)], dns: [FqdnSelector.matchPattern('**.example.com')] })).toThrow(
      "cilium/fqdn-multilevel-wildcard-version: CiliumNetworkPolicy 'default/multi-dns' at egress[0].toPorts[0].rules.dns[0].matchPattern: '**.example.com' matches any number of subdomain levels only from Cilium 1.19; on the target's line it matches exactly one label, like '*.example.com'. Use '*.example.com' and list deeper names separately, or run Cilium 1.19 or later.",
    );
    const at = cilium('1.19');
    new CiliumNetworkPolicy(at.chart, 'Multi', { dnsPatterns: DnsPatterns.FQDNS }).allowEgress({ to: [Peer.fqdnPattern('**.example.com')] });
    const spec = findOne(synthValid(at.app).objects, 'CiliumNetworkPolicy').spec;
    expect(spec.egress[0].toFQDNs).toEqual([{ matchPattern: '**.example.com' }]);
    expect(spec.egress[1].toPorts[0].rules.dns[0]).toEqual({ matchPattern: '**.example.com' });
  });
});

describe("rules the API server accepts but Cilium's agent refuses are refused at synth time", () => {
  const policy = () => new CiliumNetworkPolicy(cilium().chart, 'Web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
  const ports = (n: number) => Array.from({ length: n }, (_, i) => Port.tcp(8000 + i));

  test.each([
    ['HTTP on ANY', (p: CiliumNetworkPolicy) => p.allowIngress({ ports: [Port.anyProtocol(80)], http: [HttpRule.get('/')] }),
      "cilium/l7-http-requires-tcp: CiliumNetworkPolicy 'default/web' at ingress[0].toPorts[0].ports[0].protocol: has protocol ANY, but the port rule has http rules, which need protocol TCP on every port; Cilium's agent refuses that (\"L7 rules can only apply to TCP (not ANY) except for DNS rules\"), and the whole policy is then not enforced. Set protocol: TCP. In netsec: use Port.tcp(...)."],
    ['HTTP without ports', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.entity(Entity.WORLD)], http: [HttpRule.any()] }),
      "cilium/l7-http-requires-tcp: CiliumNetworkPolicy 'default/web' at egress[0].toPorts[0]: has HTTP rules but no ports; HTTP rules need the TCP ports they apply to (ports: [{port: '80', protocol: TCP}]). In netsec: use Port.tcp(...)."],
    ['deny with HTTP', (p: CiliumNetworkPolicy) => p.denyEgress({ to: [Peer.entity(Entity.WORLD)], ports: [Port.tcp(80)], http: [HttpRule.get('/admin')] }),
      "cilium/deny-unsupported-fields: CiliumNetworkPolicy 'default/web' at egressDeny[0].toPorts[0].rules: is not a field of deny port rules, which have only 'ports': the API server drops it, and the rule then denies all traffic on those ports. Use an allow rule with L7 rules instead."],
    ['deny with DNS', (p: CiliumNetworkPolicy) => p.denyEgress({ ports: [Port.udp(53)], dns: [FqdnSelector.matchName('evil.example')] }),
      "cilium/deny-unsupported-fields: CiliumNetworkPolicy 'default/web' at egressDeny[0].toPorts[0].rules: is not a field of deny port rules, which have only 'ports': the API server drops it, and the rule then denies all traffic on those ports. Use an allow rule with L7 rules instead."],
    ['deny with FQDN', (p: CiliumNetworkPolicy) => p.denyEgress({ to: [Peer.fqdn('evil.example')] }),
      "cilium/deny-unsupported-fields: CiliumNetworkPolicy 'default/web' at egressDeny[0].toFQDNs: is not a field of deny rules (Cilium has no FQDN deny): the API server drops it, and the rest of the rule then denies every peer on its ports, or nothing while still switching the pods to egress default-deny. Deny the addresses with toCIDRSet (or a CiliumCIDRGroup), or allow only the names wanted."],
    ['mixed L3 kinds', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.fqdn('api.example.com'), Peer.entity(Entity.KUBE_APISERVER)] }),
      "cilium/l3-selector-kinds-mixed: CiliumNetworkPolicy 'default/web' at egress[0].toFQDNs: combines toEntities and toFQDNs in one rule; Cilium's agent refuses that (\"combining ToEntities and ToFQDNs is not supported yet\"), and the whole policy is then not enforced although the API server stored it. Split it into one rule per peer kind. In netsec: one allowEgress/denyEgress call per peer kind."],
    ['more than 40 ports', (p: CiliumNetworkPolicy) => p.allowIngress({ ports: ports(41) }),
      "cilium/port-rule-shape: CiliumNetworkPolicy 'default/web' at ingress[0].toPorts[0].ports: has 41 ports; Cilium accepts at most 40 per port rule (\"too many ports, the max is 40\"; the API server refuses more from 1.16 on). Split the ports over several port rules."],
    ['an empty peer list', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [], ports: [Port.tcp(443)] }),
      "cilium/empty-peer-list-selects-nothing: CiliumNetworkPolicy 'default/web' at egress[0]: 'to' is an empty list, which Cilium (1.16+) reads as \"no peer\": the rule matches nothing. Leave 'to' out to match every peer on the rule's ports."],
    ['an empty ports list (it became no toPorts: every port)', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.entity(Entity.WORLD)], ports: [] }),
      "CiliumNetworkPolicy 'default/web': egress[0]: 'ports' is an empty list, which netsec would write as no ports at all: every port. Leave 'ports' out for every port, or list the ones the rule allows."],
    ['an empty http list (it became an L4-only rule: every request)', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.entity(Entity.WORLD)], ports: [Port.tcp(80)], http: [] }),
      "CiliumNetworkPolicy 'default/web': egress[0]: 'http' is an empty list, which netsec would write as no http at all: every HTTP request. Leave 'http' out for every HTTP request, or list the ones the rule allows."],
    ['an empty dns list', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.entity(Entity.CLUSTER)], ports: [Port.anyProtocol(53)], dns: [] }),
      "CiliumNetworkPolicy 'default/web': egress[0]: 'dns' is an empty list, which netsec would write as no dns at all: every DNS query. Leave 'dns' out for every DNS query, or list the ones the rule allows."],
    ['an empty rule', (p: CiliumNetworkPolicy) => p.allowEgress({}),
      "cilium/egress-empty-rule-denies-all: CiliumNetworkPolicy 'default/web' at egress[0]: is an empty egress rule: in Cilium it allows nothing and switches the selected pods to egress default-deny, so all their egress traffic that no other rule allows is dropped (in a Kubernetes NetworkPolicy the same YAML means \"allow all\"). Keep it only if deny-all is intended; allow-all is toEntities: [all]. In netsec: for allow-all use the entity all (to: { entities: [all] }, Peer.entity(Entity.ALL)); for deny-all set egressDefault: deny (PolicyDefault.DENY)."],
    ['FQDN peers on ingress', (p: CiliumNetworkPolicy) => p.allowIngress({ from: [Peer.fqdn('client.example.com')] }),
      "CiliumNetworkPolicy 'default/web': ingress[0]: FQDN peers exist only for egress; Cilium has no fromFQDNs."],
    ['HTTP and DNS in one rule', (p: CiliumNetworkPolicy) => p.allowEgress({ ports: [Port.tcp(53)], http: [HttpRule.any()], dns: [FqdnSelector.matchPattern('*')] }),
      "cilium/l7-port-rule-shape: CiliumNetworkPolicy 'default/web' at egress[0].toPorts[0].rules: has http and dns rules; a port rule carries one L7 protocol, and Cilium's agent refuses more (\"multiple L7 protocol rule types specified in single rule\"). Use one port rule per L7 protocol."],
    ['DNS without a port', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.entity(Entity.CLUSTER)], dns: [FqdnSelector.matchPattern('*')] }),
      "cilium/dns-rule-shape: CiliumNetworkPolicy 'default/web' at egress[0].toPorts[0]: has DNS rules but no ports; Cilium's agent refuses that (\"port 53 must be specified for DNS rules\"). Add ports: [{port: '53', protocol: ANY}]."],
    ['DNS on a port range', (p: CiliumNetworkPolicy) => p.allowEgress({ ports: [Port.udpRange(53, 54)], dns: [FqdnSelector.matchPattern('*')] }),
      "cilium/dns-rule-shape: CiliumNetworkPolicy 'default/web' at egress[0].toPorts[0].ports[0].endPort: makes 53-54 a port range; Cilium's agent refuses ranges with DNS rules (\"DNS rules do not support port ranges\"). Name port 53 alone."],
    ['kube-dns looked up in the policy namespace', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.podsInPolicyNamespace({ 'k8s-app': 'kube-dns' })], ports: [Port.udp(53)] }),
      "cilium/cnp-peer-implicit-namespace: CiliumNetworkPolicy 'default/web' at egress[0].toEndpoints[0]: selects k8s-app: kube-dns without a namespace, so in a CiliumNetworkPolicy it matches only pods in the policy's own namespace 'default' and no DNS pod (they run in kube-system). Add 'k8s:io.kubernetes.pod.namespace: kube-system' to matchLabels. In netsec: pods: { namespace: kube-system, ... } (Peer.podsInNamespace('kube-system', ...))."],
  ])('%s', (_title, add, message) => {
    expect(() => add(policy())).toThrow(message);
  });

  test('40 ports and mixed-kind rules split in two are fine', () => {
    const { app, chart } = cilium();
    new CiliumNetworkPolicy(chart, 'Web')
      .allowIngress({ ports: ports(40) })
      .allowEgress({ to: [Peer.fqdn('api.example.com')] })
      .allowEgress({ to: [Peer.entity(Entity.KUBE_APISERVER)], ports: [Port.tcp(443)] });
    const spec = findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec;
    expect(spec.ingress[0].toPorts[0].ports).toHaveLength(40);
    expect(spec.egress.map((r: object) => Object.keys(r)[0])).toEqual(['toFQDNs', 'toEntities', 'toEndpoints']);
  });

  test('an endpointSelector naming another namespace is refused', () => {
    expect(() => new CiliumNetworkPolicy(cilium().chart, 'X', { namespace: 'shop', endpointSelector: EndpointSelector.labels({ 'k8s:io.kubernetes.pod.namespace': 'payments', app: 'x' }) })).toThrow(
      "CiliumNetworkPolicy 'shop/x': the endpointSelector names namespace 'payments', but a CiliumNetworkPolicy selects pods of its own namespace 'shop' only (Cilium drops the mismatching match with a warning). Create the policy in 'payments' instead.",
    );
  });

  test('a target without Cilium is refused', () => {
    const { chart } = targetChart({ name: 'onprem-calico', kubernetes: '1.31', calico: '3.30' });
    expect(() => new CiliumNetworkPolicy(chart, 'X')).toThrow("CiliumNetworkPolicy 'default/x': needs Cilium, but target 'onprem-calico' names no Cilium version.");
  });
});

test.each(['1.16', '1.17', '1.18', '1.19', '1.20'].flatMap((line) => [[line, true], [line, LINK_LOCAL.nodeLocalDns]] as const))('every rule shape is schema-valid on Cilium %s (nodeLocalDns %o)', (line, nodeLocalDns) => {
  const { app, chart } = cilium(line, { nodeLocalDns });
  new CiliumNetworkPolicy(chart, 'All', { namespace: 'shop', description: 'every shape', ingressDefault: PolicyDefault.ALLOW })
    .allowEgress({ to: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] })
    .allowEgress({ to: [Peer.podsInAllNamespaces({ app: 'prometheus' })], ports: [Port.tcpRange(9090, 9091)] })
    .allowEgress({ to: [Peer.podsInNamespacesLabeled({ team: 'payments' }, { app: 'api' })], ports: [Port.named('http', Protocol.TCP)], http: [HttpRule.of({ method: 'GET|HEAD', path: '/v1/.*', host: 'api', headers: ['X-Tenant: a'] })] })
    .allowEgress({ to: [Peer.cidr('10.0.0.0/8', ['10.96.0.0/12'])], ports: [Port.sctp(9899)] })
    .allowEgress({ to: [Peer.cidrGroup('partners')] })
    .denyEgress({ to: [Peer.entity(Entity.WORLD)], ports: [Port.udp(123)] })
    .allowIngress({ from: [Peer.podsInPolicyNamespace({ app: 'web' })], ports: [Port.tcp(80)], http: [HttpRule.get('/discount')] })
    .denyIngress({ from: [Peer.cidr('192.0.2.0/24')] });
  const spec = findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec;
  expect(spec.description).toBe('every shape');
  expect(spec.enableDefaultDeny).toEqual({ ingress: false });
});

test('escape hatch: an L1 JSON patch on the single Resource child', () => {
  const { app, chart } = cilium();
  const policy = new CiliumNetworkPolicy(chart, 'Patched', { egressDefault: PolicyDefault.DENY, dns: DnsAccess.NONE });
  // Patches apply to the generated L1 props, whose keys are camelCase (toEntities is the same on the wire).
  ApiObject.of(policy).addJsonPatch(JsonPatch.add('/spec/egress/-', { toEntities: ['kube-apiserver'] }));
  expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').spec.egress).toEqual([{}, { toEntities: ['kube-apiserver'] }]);
});

// One implementation: the construct throws the message the lint rule reports on the same rule written as YAML.
describe('the construct and netsec validate say the same thing about a rule', () => {
  test.each([
    ['mixed peer kinds', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.fqdn('api.example.com'), Peer.entity(Entity.KUBE_APISERVER)] }),
      { toEntities: ['kube-apiserver'], toFQDNs: [{ matchName: 'api.example.com' }] }, 'cilium/l3-selector-kinds-mixed', 'egress[0].toFQDNs'],
    ['HTTP on ANY', (p: CiliumNetworkPolicy) => p.allowEgress({ to: [Peer.entity(Entity.WORLD)], ports: [Port.anyProtocol(80)], http: [HttpRule.get('/')] }),
      { toEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'ANY' }], rules: { http: [{ method: 'GET', path: '/' }] } }] }, 'cilium/l7-http-requires-tcp', 'egress[0].toPorts[0].ports[0].protocol'],
  ] as const)('%s', (_title, add, yamlRule, id, path) => {
    let thrown = '';
    try {
      add(new CiliumNetworkPolicy(cilium().chart, 'Web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }));
    } catch (err) {
      thrown = (err as Error).message;
    }
    const object = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'default' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [yamlRule] } };
    const finding = lint(new ManifestIndex(new Target({ name: 't', kubernetes: '1.30', cilium: '1.17' }), [{ object, applied: true }])).findings.find((f) => f.ruleId === id)!;
    expect(finding.path).toBe(`spec.${path}`);
    const lintText = finding.message.split(`at spec.${path}: `)[1]!;
    expect(thrown.startsWith(`${id}: CiliumNetworkPolicy 'default/web' at ${path}: ${lintText}`)).toBe(true);
  });
});

describe('metadata (labels and annotations)', () => {
  test('metadata labels and annotations reach the policy object; policy.metadata adds more later', () => {
    const { app, chart } = cilium();
    const policy = secureWorkload(chart, { metadata: { labels: { team: 'payments' }, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } } });
    policy.metadata.addLabel('example.com/tier', 'critical');
    expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').metadata).toEqual({
      name: 'secure-workload-policy',
      namespace: 'default',
      labels: { team: 'payments', 'example.com/tier': 'critical' },
      annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
    });
    expect(policy.metadata).toBe(ApiObject.of(policy).metadata);
  });

  test('without metadata the object has only its name and namespace', () => {
    const { app, chart } = cilium();
    secureWorkload(chart);
    expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').metadata).toEqual({ name: 'secure-workload-policy', namespace: 'default' });
  });

  test('a refusal names the policy by namespace and name', () => {
    expect(() => secureWorkload(cilium().chart, { namespace: 'shop', metadata: { labels: { team: 'pay ments' } } })).toThrow(
      "CiliumNetworkPolicy 'shop/secure-workload-policy': metadata.labels 'team' is 'pay ments', which is not a valid label value; expected at most 63 characters of [A-Za-z0-9_.-], beginning and ending with a letter or digit, or empty.",
    );
  });
});
