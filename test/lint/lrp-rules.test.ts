import { describe, expect, test } from 'vitest';
import { Manifest, ManifestIndex, NodeLocalDnsMode, Target, TargetProps, lint } from '../../src/index.js';

const T: TargetProps = { name: 't', kubernetes: '1.30', cilium: '1.17' };

function of(id: string, objects: Record<string, unknown>[], options: { target?: TargetProps; helmValues?: Map<string, Record<string, unknown>> } = {}) {
  const manifests: Manifest[] = objects.map((object, i) => ({ object, applied: true, location: { file: 'in.yaml', line: i * 10 + 1, column: 1 } }));
  const index = new ManifestIndex(new Target(options.target ?? T), manifests, { helmValues: options.helmValues ?? new Map([['cilium', { localRedirectPolicy: true }]]) });
  return lint(index).findings.filter((f) => f.ruleId === id).map((f) => [f.severity, f.path, f.message]);
}

const DNS_PORTS = [{ port: '53', name: 'dns', protocol: 'UDP' }, { port: '53', name: 'dns-tcp', protocol: 'TCP' }];
const lrp = (spec: Record<string, unknown>, namespace = 'kube-system') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumLocalRedirectPolicy', metadata: { name: 'nodelocaldns', namespace }, spec });
const dnsLrp = (extra: Record<string, unknown> = {}) => lrp({
  redirectFrontend: { serviceMatcher: { serviceName: 'kube-dns', namespace: 'kube-system' } },
  redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: DNS_PORTS },
  ...extra,
});
const nodeCache = (opts: { hostNetwork?: boolean; args?: string[]; namespace?: string } = {}) => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'node-local-dns', namespace: opts.namespace ?? 'kube-system' },
  spec: { template: { metadata: { labels: { 'k8s-app': 'node-local-dns' } }, spec: {
    hostNetwork: opts.hostNetwork ?? false,
    containers: [{ name: 'node-cache', image: 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4', args: opts.args ?? ['-localip', '0.0.0.0', '-upstreamsvc', 'kube-dns-upstream', '-skipteardown=true', '-setupinterface=false', '-setupiptables=false'],
      ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }] }],
  } } },
});
const upstream = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns-upstream', namespace: 'kube-system' }, spec: { selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } };
const LRP = "CiliumLocalRedirectPolicy 'kube-system/nodelocaldns'";

describe('lrp/namespace-scope', () => {
  test('a serviceMatcher namespace other than the LRP, and backends only elsewhere, are refused', () => {
    expect(of('lrp/namespace-scope', [dnsLrp(), nodeCache({ namespace: 'dns' })].map((o, i) => (i === 0 ? { ...o, metadata: { name: 'nodelocaldns', namespace: 'dns' } } : o)))).toEqual([
      ['error', 'spec.redirectFrontend.serviceMatcher.namespace', "CiliumLocalRedirectPolicy 'dns/nodelocaldns' at spec.redirectFrontend.serviceMatcher.namespace: is 'kube-system', but the LRP is in namespace 'dns'; Cilium redirects only Services of the LRP's own namespace. Create the LRP in 'kube-system' (with its backend pods there), or match a Service of 'dns'."],
    ]);
    expect(of('lrp/namespace-scope', [dnsLrp(), nodeCache({ namespace: 'dns' })])).toEqual([
      ['error', 'spec.redirectBackend.localEndpointSelector', `${LRP} at spec.redirectBackend.localEndpointSelector: selects pods only outside the LRP's namespace 'kube-system' (DaemonSet 'dns/node-local-dns'); Cilium takes backends from the LRP's own namespace, so nothing is redirected. Run the backend in 'kube-system' or move the LRP.`],
    ]);
    expect(of('lrp/namespace-scope', [dnsLrp(), nodeCache()])).toEqual([]);
  });
});

describe('lrp/ports-must-be-named-and-match', () => {
  test('unnamed ports among several, a frontend name without a backend, a backend port not on the pods', () => {
    const spec = {
      redirectFrontend: { addressMatcher: { ip: '169.254.169.254', toPorts: [{ port: '53', name: 'dns', protocol: 'UDP' }, { port: '53', name: 'dns-tls', protocol: 'TCP' }] } },
      redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: [{ port: '53', name: 'dns', protocol: 'UDP' }, { port: '5353', protocol: 'TCP' }] },
    };
    expect(of('lrp/ports-must-be-named-and-match', [lrp(spec), nodeCache()])).toEqual([
      ['error', 'spec.redirectBackend.toPorts[1].name', `${LRP} at spec.redirectBackend.toPorts[1].name: is missing; with more than one port every port needs a name, because Cilium pairs frontend and backend ports by name. Name it (e.g. dns, dns-tcp).`],
      ['error', 'spec.redirectFrontend.addressMatcher.toPorts[1].name', `${LRP} at spec.redirectFrontend.addressMatcher.toPorts[1].name: 'dns-tls' has no backend port of that name (backend: dns); frontend and backend ports pair by name. Use the same names on both sides.`],
      ['error', 'spec.redirectBackend.toPorts[1]', `${LRP} at spec.redirectBackend.toPorts[1]: port 5353/TCP is not a container port of the selected pods (DaemonSet 'node-local-dns'); Cilium finds no backend for it. Declare it on the container, or fix the LRP port.`],
    ]);
  });
  test('a serviceMatcher without toPorts redirects every Service port, also those no backend pairs with', () => {
    const kubeDns = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }] } };
    expect(of('lrp/ports-must-be-named-and-match', [dnsLrp(), nodeCache(), kubeDns])).toEqual([
      ['error', 'spec.redirectFrontend.serviceMatcher', `${LRP} at spec.redirectFrontend.serviceMatcher: has no toPorts, so every port of Service 'kube-system/kube-dns' is redirected, including metrics 9153/TCP, which no backend port pairs with. List the ports to redirect in serviceMatcher.toPorts.`],
    ]);
    expect(of('lrp/ports-must-be-named-and-match', [dnsLrp(), nodeCache()])).toEqual([]);
  });
});

describe('lrp/backend-hostnetwork and lrp/node-local-dns-needs-upstream-service', () => {
  test('a hostNetwork node-cache without the recipe arguments is refused', () => {
    expect(of('lrp/backend-hostnetwork', [dnsLrp(), nodeCache({ hostNetwork: true, args: ['-localip', '169.254.20.10', '-upstreamsvc', 'kube-dns-upstream'] })])).toEqual([
      ['error', 'spec.template.spec.hostNetwork', "DaemonSet 'kube-system/node-local-dns' at spec.template.spec.hostNetwork: is true, but this workload is a backend of CiliumLocalRedirectPolicy 'nodelocaldns': Cilium redirects to the pod's own address, which a hostNetwork pod does not have. Set hostNetwork: false."],
      ['error', 'spec.template.spec.containers[0].args', "DaemonSet 'kube-system/node-local-dns' at spec.template.spec.containers[0].args: lack -skipteardown=true -setupinterface=false -setupiptables=false: behind a Local Redirect Policy node-cache must not set up its own interface and iptables rules (Cilium does the redirection). Add them."],
    ]);
    expect(of('lrp/backend-hostnetwork', [dnsLrp(), nodeCache()])).toEqual([]);
  });
  test('redirecting kube-dns without an upstream Service, -upstreamsvc or skipRedirectFromBackend loops', () => {
    const noUpstream = nodeCache({ args: ['-localip', '0.0.0.0', '-skipteardown=true', '-setupinterface=false', '-setupiptables=false'] });
    expect(of('lrp/node-local-dns-needs-upstream-service', [dnsLrp(), noUpstream])).toEqual([
      ['error', 'spec.redirectFrontend.serviceMatcher', `${LRP} at spec.redirectFrontend.serviceMatcher: redirects Service kube-system/kube-dns to the cache, but there is neither an upstream Service selecting k8s-app: kube-dns (kube-dns-upstream) with node-cache -upstreamsvc, nor skipRedirectFromBackend: true: the cache's own queries to kube-dns loop back to it. Add the kube-dns-upstream Service and -upstreamsvc kube-dns-upstream (NodeLocalDnsCache does both).`],
    ]);
    expect(of('lrp/node-local-dns-needs-upstream-service', [dnsLrp(), noUpstream, upstream])).toEqual([]);
    expect(of('lrp/node-local-dns-needs-upstream-service', [dnsLrp({ skipRedirectFromBackend: true }), noUpstream])).toEqual([]);
  });
});

describe('lrp/address-matcher-hits-clusterip and lrp/feature-not-enabled', () => {
  test("an addressMatcher on a Service's ClusterIP and port warns; another address does not", () => {
    const kubeDns = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } };
    const am = (ip: string) => lrp({ redirectFrontend: { addressMatcher: { ip, toPorts: [{ port: '53', protocol: 'UDP' }] } }, redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: [{ port: '53', protocol: 'UDP' }] } });
    expect(of('lrp/address-matcher-hits-clusterip', [am('10.96.0.10'), kubeDns])).toEqual([
      ['warning', 'spec.redirectFrontend.addressMatcher', `${LRP} at spec.redirectFrontend.addressMatcher: matches 10.96.0.10:53/UDP, the ClusterIP frontend of Service 'kube-system/kube-dns'; Cilium refuses to override a Service frontend. Use serviceMatcher: {serviceName: kube-dns, namespace: kube-system}.`],
    ]);
    expect(of('lrp/address-matcher-hits-clusterip', [am('169.254.20.10'), kubeDns])).toEqual([]);
  });
  test('LRPs without the Helm key of the target line warn (localRedirectPolicy up to 1.17, localRedirectPolicies.enabled from 1.18)', () => {
    expect(of('lrp/feature-not-enabled', [dnsLrp()], { target: { ...T, cilium: '1.18' } })).toEqual([
      ['warning', '', `${LRP}: does nothing unless the Cilium Helm values set localRedirectPolicies.enabled: true, and the values netsec writes for this target do not. Set it in the cluster's Cilium values (and restart the agents and operator), or suppress this with the reason where it is already set.`],
    ]);
    expect(of('lrp/feature-not-enabled', [dnsLrp()], { target: { ...T, cilium: '1.18' }, helmValues: new Map([['cilium', { localRedirectPolicies: { enabled: true } }]]) })).toEqual([]);
    expect(of('lrp/feature-not-enabled', [dnsLrp()])).toEqual([]);
  });
});

describe('dns/nodelocaldns-netpol-hostnetwork', () => {
  const linkLocal: TargetProps = { ...T, cluster: { nodeLocalDns: { mode: NodeLocalDnsMode.LINK_LOCAL, addresses: ['169.254.20.10'] } } };
  const netpol = (egress: Record<string, unknown>[]) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'egress', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress } });
  const toKubeDns = { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] };
  test('DNS allowed only to kube-dns pods while the cache is link-local is refused; an ipBlock for the address is fine', () => {
    expect(of('dns/nodelocaldns-netpol-hostnetwork', [netpol([toKubeDns])], { target: linkLocal })).toEqual([
      ['error', 'spec.egress[0]', "NetworkPolicy 'shop/egress' at spec.egress[0]: allows DNS only to pods chosen by selector, but NodeLocal DNSCache answers on the node address 169.254.20.10 (hostNetwork), which no pod or namespace selector matches: the selected pods lose DNS. Add an egress rule to ipBlock 169.254.20.10/32 on port 53 (UDP and TCP)."],
    ]);
    expect(of('dns/nodelocaldns-netpol-hostnetwork', [netpol([toKubeDns, { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ port: 53, protocol: 'UDP' }] }])], { target: linkLocal })).toEqual([]);
    // Without a link-local cache, the same policy is fine.
    expect(of('dns/nodelocaldns-netpol-hostnetwork', [netpol([toKubeDns])])).toEqual([]);
  });
  test('the same for a Calico policy: DNS by selector only is refused; an Allow to the address is fine', () => {
    const gnp = (egress: Record<string, unknown>[]) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'dns' }, spec: { selector: "app == 'web'", types: ['Egress'], egress } });
    const dnsToKubeDns = { action: 'Allow', protocol: 'UDP', destination: { selector: "k8s-app == 'kube-dns'", ports: [53] } };
    expect(of('dns/nodelocaldns-netpol-hostnetwork', [gnp([dnsToKubeDns])], { target: linkLocal })).toEqual([
      ['error', 'spec.egress[0]', "GlobalNetworkPolicy 'dns' at spec.egress[0]: allows DNS only to endpoints chosen by selector, but NodeLocal DNSCache answers on the node address 169.254.20.10 (hostNetwork), which no endpoint selector matches: the selected endpoints lose DNS. Add an Allow rule to nets [169.254.20.10/32] on port 53 (UDP and TCP)."],
    ]);
    expect(of('dns/nodelocaldns-netpol-hostnetwork', [gnp([dnsToKubeDns, { action: 'Allow', protocol: 'UDP', destination: { nets: ['169.254.20.10/32'], ports: [53] } }])], { target: linkLocal })).toEqual([]);
  });
  test('a hostNetwork node-local-dns DaemonSet among the objects counts as link-local', () => {
    expect(of('dns/nodelocaldns-netpol-hostnetwork', [netpol([toKubeDns]), nodeCache({ hostNetwork: true })]).map((f) => f[1])).toEqual(['spec.egress[0]']);
  });
});
