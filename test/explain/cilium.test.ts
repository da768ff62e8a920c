import { describe, expect, test } from 'vitest';
import { Flow } from '../../src/explain/index.js';
import { cluster, flow, judge, objects, pod, short } from './helpers.js';

// Cases taken from upstream: each test name cites the document or test it follows (domain-notes §C.1, §D.1).

const client = pod('default/client', { kind: 'client' });
const server = pod('default/server', { kind: 'server' }, { ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] });
const c = cluster([client, server]);
const ping = (from: string, to: string): Flow => ({ name: 'ping', from: { pod: from }, to: { pod: to }, port: 0, protocol: 'ICMP', icmp: { type: 8 } });

const allowServer = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: allow, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: server } }
  ingress:
    - fromEndpoints: [ { matchLabels: { kind: client } } ]
      toPorts: [ { ports: [ { port: "80", protocol: TCP } ], rules: { http: [ { method: GET, path: / } ] } } ]
    - fromEndpoints: [ { matchLabels: { kind: client } } ]
      toPorts: [ { ports: [ { port: "80", protocol: TCP } ] } ]
    - fromEndpoints: [ { matchLabels: { kind: client } } ]
      toPorts: [ { ports: [ { port: "81", protocol: TCP } ] } ]
    - fromEndpoints: [ { matchLabels: { kind: client } } ]
`;
const denyPort80 = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: deny-80, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: server } }
  ingressDeny:
    - fromEndpoints: [ { matchLabels: { kind: client } } ]
      toPorts: [ { ports: [ { port: "80", protocol: TCP } ] } ]
`;
const denyClient = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: deny-client, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: server } }
  ingressDeny:
    - fromEndpoints: [ { matchLabels: { kind: client } } ]
`;

describe('deny precedence (Cilium Documentation/security/policy/deny.rst, the enforcement table)', () => {
  test('column 1: L7, L4 and L3 allows only: curl :80, curl :81 and ping are allowed', () => {
    const objs = objects(allowServer);
    expect(short(judge(objs, c, flow('default/client', 'default/server', 80)))).toBe('FORWARDED CiliumNetworkPolicy/default/allow');
    expect(short(judge(objs, c, flow('default/client', 'default/server', 81)))).toBe('FORWARDED CiliumNetworkPolicy/default/allow');
    expect(short(judge(objs, c, ping('default/client', 'default/server')))).toBe('FORWARDED CiliumNetworkPolicy/default/allow');
  });

  test('column 2: plus an L4 deny on 80/TCP: curl :80 is denied, curl :81 and ping stay allowed', () => {
    const objs = objects(allowServer + '---' + denyPort80);
    const r80 = judge(objs, c, flow('default/client', 'default/server', 80));
    expect(short(r80)).toBe('DROPPED POLICY_DENY CiliumNetworkPolicy/default/deny-80');
    expect(r80.dropReasonCode).toBe(181);
    expect(r80.steps.at(-1)!.matched).toEqual([{ by: 'CiliumNetworkPolicy/default/deny-80', path: 'spec.ingressDeny[0].toPorts[0]' }]);
    expect(short(judge(objs, c, flow('default/client', 'default/server', 81)))).toBe('FORWARDED CiliumNetworkPolicy/default/allow');
    expect(short(judge(objs, c, ping('default/client', 'default/server')))).toBe('FORWARDED CiliumNetworkPolicy/default/allow');
  });

  test('column 3: plus an L3 deny of the client: curl :80, curl :81 and ping are all denied', () => {
    const objs = objects(allowServer + '---' + denyPort80 + '---' + denyClient);
    expect(short(judge(objs, c, flow('default/client', 'default/server', 81)))).toBe('DROPPED POLICY_DENY CiliumNetworkPolicy/default/deny-client');
    expect(short(judge(objs, c, ping('default/client', 'default/server')))).toBe('DROPPED POLICY_DENY CiliumNetworkPolicy/default/deny-client');
    expect(judge(objs, c, flow('default/client', 'default/server', 80)).verdict).toBe('DROPPED');
  });

  test('a deny in a CCNP beats an allow in a CNP, whatever the kind (deny.rst)', () => {
    const objs = objects(allowServer + `---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: deny-world-80 }
spec:
  endpointSelector: {}
  ingressDeny: [ { fromEndpoints: [ { matchLabels: { kind: client } } ], toPorts: [ { ports: [ { port: "81" } ] } ] } ]
`);
    expect(short(judge(objs, c, flow('default/client', 'default/server', 81)))).toBe('DROPPED POLICY_DENY CiliumClusterwideNetworkPolicy/deny-world-80');
  });
});

describe('default deny per direction', () => {
  const denyAllEgress = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: deny-all-egress, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: client } }
  egress: [ {} ]
`;
  test('egress: [{}] denies all egress with POLICY_DENIED (cilium-cli connectivity/builder/all_egress_deny.go: ResultDefaultDenyEgressDrop)', () => {
    const r = judge(objects(denyAllEgress), c, flow('default/client', '1.1.1.1', 443));
    expect(short(r)).toBe('DROPPED POLICY_DENIED default');
    expect(r.dropReasonCode).toBe(133);
    expect(r.steps).toEqual([{
      layer: 'cilium-egress', endpoint: 'default/client', selectedBy: ['CiliumNetworkPolicy/default/deny-all-egress'], defaultDeny: true, outcome: 'default-deny',
      detail: 'egress of default/client to 1.1.1.1 (world) on 443/TCP: selected by CiliumNetworkPolicy/default/deny-all-egress; CiliumNetworkPolicy/default/deny-all-egress puts it in egress default-deny, and no rule allows this',
    }]);
  });

  test('egress: [{}] leaves ingress alone: the pod still receives (all_egress_deny.go: ingress not affected)', () => {
    expect(short(judge(objects(denyAllEgress), c, flow('default/server', 'default/client', 8080)))).toBe('FORWARDED default');
  });

  const cidrDeny = (extra = '') => `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: client-egress-to-cidr-deny, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: client } }
  egressDeny: [ { toCIDRSet: [ { cidr: 1.0.0.0/8, except: [ 1.1.1.0/24 ] } ] } ]
${extra}`;

  test('a deny-only policy drops the denied address with POLICY_DENY and the others with POLICY_DENIED (cilium-cli client_egress_to_cidr_deny_default.go)', () => {
    const objs = objects(cidrDeny());
    expect(short(judge(objs, c, flow('default/client', '1.0.0.1', 443)))).toBe('DROPPED POLICY_DENY CiliumNetworkPolicy/default/client-egress-to-cidr-deny');
    expect(short(judge(objs, c, flow('default/client', '8.8.8.8', 443)))).toBe('DROPPED POLICY_DENIED default');
  });

  test('except cuts a hole in a deny CIDR: 1.1.1.1 is not denied (Cilium layer3.rst toCIDRSet except)', () => {
    expect(short(judge(objects(cidrDeny()), c, flow('default/client', '1.1.1.1', 443)))).toBe('DROPPED POLICY_DENIED default');
    expect(short(judge(objects(cidrDeny('  enableDefaultDeny: { egress: false }')), c, flow('default/client', '1.1.1.1', 443)))).toBe('FORWARDED default');
  });

  test('enableDefaultDeny.egress: false keeps other egress open from 1.16, not before it, and not when the agent disables non-default-deny policies (rule_validation.go Sanitize)', () => {
    const objs = objects(cidrDeny('  enableDefaultDeny: { egress: false }'));
    expect(short(judge(objs, c, flow('default/client', '8.8.8.8', 443), '1.16'))).toBe('FORWARDED default');
    expect(short(judge(objs, c, flow('default/client', '8.8.8.8', 443), '1.15'))).toBe('DROPPED POLICY_DENIED default');
    const strict = cluster([client, server], { agent: { enableNonDefaultDenyPolicies: false, policyEnforcementMode: 'default' } });
    expect(short(judge(objs, strict, flow('default/client', '8.8.8.8', 443)))).toBe('DROPPED POLICY_DENIED default');
    expect(short(judge(objs, c, flow('default/client', '1.0.0.1', 443)))).toBe('DROPPED POLICY_DENY CiliumNetworkPolicy/default/client-egress-to-cidr-deny');
  });

  test('policyEnforcementMode never enforces nothing; always default-denies endpoints no policy selects (Cilium policy enforcement modes)', () => {
    const never = cluster([client, server], { agent: { enableNonDefaultDenyPolicies: true, policyEnforcementMode: 'never' } });
    expect(short(judge(objects(denyAllEgress), never, flow('default/client', '1.1.1.1', 443)))).toBe('FORWARDED default');
    const always = cluster([client, server], { agent: { enableNonDefaultDenyPolicies: true, policyEnforcementMode: 'always' } });
    expect(short(judge([], always, flow('default/server', '1.1.1.1', 443)))).toBe('DROPPED POLICY_DENIED default');
  });
});

describe('endpoint selection and namespaces (utils.go getEndpointSelector, domain-notes §0 finding 2)', () => {
  const dnsPod = pod('kube-system/coredns', { 'k8s-app': 'kube-dns' });
  const other = pod('other/client', { kind: 'client' });
  const cc = cluster([client, server, dnsPod, other]);
  const egressTo = (kind: string, sel: string) => `
apiVersion: cilium.io/v2
kind: ${kind}
metadata: { name: p${kind === 'CiliumNetworkPolicy' ? ', namespace: default' : ''} }
spec:
  endpointSelector: { matchLabels: { kind: client } }
  egress: [ { toEndpoints: [ ${sel} ] } ]
`;
  test('a CNP peer selector without a namespace matches only the policy namespace: k8s-app=kube-dns from default matches nothing', () => {
    const r = judge(objects(egressTo('CiliumNetworkPolicy', '{ matchLabels: { k8s-app: kube-dns } }')), cc, flow('default/client', 'kube-system/coredns', 53, { protocol: 'UDP' }));
    expect(short(r)).toBe('DROPPED POLICY_DENIED default');
  });

  test('naming the namespace (with the k8s: source prefix) matches across namespaces', () => {
    const objs = objects(egressTo('CiliumNetworkPolicy', '{ matchLabels: { "k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns } }'));
    expect(short(judge(objs, cc, flow('default/client', 'kube-system/coredns', 53, { protocol: 'UDP' })))).toBe('FORWARDED CiliumNetworkPolicy/default/p');
  });

  test('namespace labels (io.cilium.k8s.namespace.labels.*) are not restricted to the policy namespace (Cilium kubernetes.rst)', () => {
    const objs = objects(egressTo('CiliumNetworkPolicy', '{ matchLabels: { "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name": kube-system } }'));
    expect(short(judge(objs, cc, flow('default/client', 'kube-system/coredns', 53, { protocol: 'UDP' })))).toBe('FORWARDED CiliumNetworkPolicy/default/p');
  });

  test('in a CCNP the same selector matches pods of every namespace', () => {
    const r = judge(objects(egressTo('CiliumClusterwideNetworkPolicy', '{ matchLabels: { k8s-app: kube-dns } }')), cc, flow('default/client', 'kube-system/coredns', 53, { protocol: 'UDP' }));
    expect(short(r)).toBe('FORWARDED CiliumClusterwideNetworkPolicy/p');
  });

  test('a CNP endpointSelector selects only pods of its own namespace: other/client is not selected', () => {
    const objs = objects(egressTo('CiliumNetworkPolicy', '{}'));
    expect(short(judge(objs, cc, flow('other/client', '1.1.1.1', 443)))).toBe('FORWARDED default');
    expect(short(judge(objs, cc, flow('default/client', '1.1.1.1', 443)))).toBe('DROPPED POLICY_DENIED default');
  });

  test('toEndpoints: [{}] in a CNP is every pod of the policy namespace, no other (layer3.rst)', () => {
    const objs = objects(egressTo('CiliumNetworkPolicy', '{}'));
    expect(short(judge(objs, cc, flow('default/client', 'default/server', 80)))).toBe('FORWARDED CiliumNetworkPolicy/default/p');
    expect(short(judge(objs, cc, flow('default/client', 'other/client', 80)))).toBe('DROPPED POLICY_DENIED default');
  });
});

describe('entities (Cilium layer3.rst, entity.go)', () => {
  const cc = cluster([client, server], { apiServer: ['20.50.1.1'] });
  const toEntities = (e: string) => objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: e, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: client } }
  egress: [ { toEntities: [ ${e} ] } ]
`);
  test.each([
    ['world', '8.8.8.8', true], ['world', '10.0.1.2', false], ['cluster', '10.0.1.2', true], ['cluster', '8.8.8.8', false],
    ['host', '192.168.0.4', true], ['host', '192.168.0.5', false], ['remote-node', '192.168.0.5', true], ['remote-node', '192.168.0.4', false],
    ['kube-apiserver', '20.50.1.1', true], ['kube-apiserver', '8.8.8.8', false], ['all', '8.8.8.8', true], ['all', '10.0.1.2', true],
  ])('toEntities: [%s] to %s: allowed %s', (entity, ip, allowed) => {
    expect(judge(toEntities(entity), cc, flow('default/client', ip, 443)).verdict).toBe(allowed ? 'FORWARDED' : 'DROPPED');
  });
});

describe('CIDR groups (Cilium layer3.rst CiliumCIDRGroup; 1.16 upgrade notes)', () => {
  const group = `
apiVersion: cilium.io/v2alpha1
kind: CiliumCIDRGroup
metadata: { name: blocked, labels: { list: geo } }
spec: { externalCIDRs: [ 198.51.100.0/24, 203.0.113.7/32 ] }
`;
  const deny = (set: string) => `
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: block }
spec:
  endpointSelector: {}
  enableDefaultDeny: { egress: false }
  egressDeny: [ { toCIDRSet: [ ${set} ] } ]
`;
  test('cidrGroupRef denies every address of the group and nothing else', () => {
    const objs = objects(group + '---' + deny('{ cidrGroupRef: blocked }'));
    expect(short(judge(objs, c, flow('default/client', '198.51.100.77', 443)))).toBe('DROPPED POLICY_DENY CiliumClusterwideNetworkPolicy/block');
    expect(short(judge(objs, c, flow('default/client', '203.0.113.8', 443)))).toBe('FORWARDED default');
  });

  test('cidrGroupRef with except (1.17) leaves the excepted addresses alone', () => {
    const objs = objects(group + '---' + deny('{ cidrGroupRef: blocked, except: [ 198.51.100.128/25 ] }'));
    expect(judge(objs, c, flow('default/client', '198.51.100.1', 443)).verdict).toBe('DROPPED');
    expect(judge(objs, c, flow('default/client', '198.51.100.200', 443)).verdict).toBe('FORWARDED');
  });

  test('cidrGroupSelector selects groups by label', () => {
    const objs = objects(group + '---' + deny('{ cidrGroupSelector: { matchLabels: { list: geo } } }'));
    expect(judge(objs, c, flow('default/client', '203.0.113.7', 443)).verdict).toBe('DROPPED');
  });

  test('a cidrGroupRef to a group that does not exist selects nothing (1.16 upgrade notes)', () => {
    expect(judge(objects(deny('{ cidrGroupRef: missing }')), c, flow('default/client', '198.51.100.1', 443)).verdict).toBe('FORWARDED');
  });

  test('CIDR rules never match pods: a deny of 10.0.0.0/8 does not drop pod-to-pod traffic (layer3.rst)', () => {
    const objs = objects(deny('{ cidr: 10.0.0.0/8 }'));
    expect(short(judge(objs, c, flow('default/client', 'default/server', 80)))).toBe('FORWARDED default');
  });
});

describe('ports (Cilium layer4.rst; pkg/policy/distillery_test.go TestEgressPortRangePrecedence)', () => {
  const rules = (items: [number, number, boolean][]) => objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ports, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: client } }
  egress:
${items.filter((i) => i[2]).map(([p, e]) => `    - toPorts: [ { ports: [ { port: "${p}"${e ? `, endPort: ${e}` : ''}, protocol: TCP } ] } ]`).join('\n') || '    []'}
  egressDeny:
${items.filter((i) => !i[2]).map(([p, e]) => `    - toEntities: [ all ]\n      toPorts: [ { ports: [ { port: "${p}"${e ? `, endPort: ${e}` : ''}, protocol: TCP } ] } ]`).join('\n')}
`);
  const verdictAt = (objs: ReturnType<typeof rules>, port: number) => judge(objs, c, flow('default/client', '8.8.8.8', port)).verdict;

  test('"deny port (80) in broader allow range (1-1024)": 79 and 81 and 1024 allowed, 80 denied, 1025 not allowed', () => {
    const objs = rules([[80, 0, false], [1, 1024, true]]);
    expect([1, 79, 80, 81, 1024, 1025].map((p) => verdictAt(objs, p))).toEqual(['FORWARDED', 'FORWARDED', 'DROPPED', 'FORWARDED', 'FORWARDED', 'DROPPED']);
    expect(judge(objs, c, flow('default/client', '8.8.8.8', 80)).dropReason).toBe('POLICY_DENY');
    expect(judge(objs, c, flow('default/client', '8.8.8.8', 1025)).dropReason).toBe('POLICY_DENIED');
  });

  test('"deny range (1-1024) covers port allow (80)": 80 is denied', () => {
    const objs = rules([[80, 0, true], [1, 1024, false]]);
    expect([79, 80, 81, 1025].map((p) => verdictAt(objs, p))).toEqual(['DROPPED', 'DROPPED', 'DROPPED', 'DROPPED']);
    expect(judge(objs, c, flow('default/client', '8.8.8.8', 80)).dropReason).toBe('POLICY_DENY');
  });

  test('"wildcard deny (*) covers broad allow range (1-1024)": everything is denied', () => {
    const objs = rules([[0, 0, false], [1, 1024, true]]);
    expect([1, 1023, 1025].map((p) => judge(objs, c, flow('default/client', '8.8.8.8', p)).dropReason)).toEqual(['POLICY_DENY', 'POLICY_DENY', 'POLICY_DENY']);
  });

  test('protocol omitted means TCP, UDP and SCTP; a TCP rule does not allow UDP', () => {
    const objs = objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: p, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: client } }
  egress: [ { toPorts: [ { ports: [ { port: "53" } ] } ] }, { toPorts: [ { ports: [ { port: "443", protocol: TCP } ] } ] } ]
`);
    expect(judge(objs, c, flow('default/client', '8.8.8.8', 53, { protocol: 'UDP' })).verdict).toBe('FORWARDED');
    expect(judge(objs, c, flow('default/client', '8.8.8.8', 53, { protocol: 'SCTP' })).verdict).toBe('FORWARDED');
    expect(judge(objs, c, flow('default/client', '8.8.8.8', 443, { protocol: 'UDP' })).verdict).toBe('DROPPED');
  });

  test('a named port resolves against the destination pod; ICMP is dropped once a direction has port rules (layer4.rst)', () => {
    const objs = objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: named, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: server } }
  ingress: [ { toPorts: [ { ports: [ { port: http, protocol: TCP } ] } ] } ]
`);
    expect(judge(objs, c, flow('default/client', 'default/server', 80)).verdict).toBe('FORWARDED');
    expect(judge(objs, c, flow('default/client', 'default/server', 81)).verdict).toBe('DROPPED');
    expect(short(judge(objs, c, ping('default/client', 'default/server')))).toBe('DROPPED POLICY_DENIED default');
  });

  test('icmps allows the listed ICMP type only (layer4.rst ICMP/ICMPv6)', () => {
    const objs = objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: icmp, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: client } }
  egress: [ { icmps: [ { fields: [ { type: EchoRequest, family: IPv4 } ] } ] } ]
`);
    expect(judge(objs, c, ping('default/client', 'default/server')).verdict).toBe('FORWARDED');
    expect(judge(objs, c, { ...ping('default/client', 'default/server'), icmp: { type: 13 } }).verdict).toBe('DROPPED');
    expect(judge(objs, c, flow('default/client', 'default/server', 80)).verdict).toBe('DROPPED');
  });
});

describe('L7 HTTP (Cilium layer7.rst)', () => {
  const l7 = (extra = '') => objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: l7, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: server } }
  ingress:
    - fromEndpoints: [ { matchLabels: { kind: client } } ]
      toPorts: [ { ports: [ { port: "80", protocol: TCP } ], rules: { http: [ { method: GET, path: "/public/.*" }, { method: PUT, path: /x, headers: [ "X-Token: 1" ] } ] } } ]
${extra}`);
  const req = (method: string, path: string, headers: Record<string, string> = {}) => flow('default/client', 'default/server', 80, { http: { method, path, headers } });

  test('a request no HTTP rule matches gets a 403 from the proxy, not a drop; method and path are full regex matches', () => {
    expect(short(judge(l7(), c, req('GET', '/public/a')))).toBe('FORWARDED CiliumNetworkPolicy/default/l7');
    const r = judge(l7(), c, req('GET', '/private'));
    expect(short(r)).toBe('DENIED 403 CiliumNetworkPolicy/default/l7');
    expect(r.dropReason).toBeUndefined();
    expect(judge(l7(), c, req('GETX', '/public/a')).verdict).toBe('DENIED');
  });

  test('headers must be present with their value', () => {
    expect(judge(l7(), c, req('PUT', '/x', { 'x-token': '1' })).verdict).toBe('FORWARDED');
    expect(judge(l7(), c, req('PUT', '/x', { 'x-token': '2' })).verdict).toBe('DENIED');
    expect(judge(l7(), c, req('PUT', '/x')).verdict).toBe('DENIED');
  });

  test('an L4-only allow on the same port and peer wildcards L7: the HTTP rules have no effect (layer7.rst)', () => {
    const extra = `    - fromEndpoints: [ { matchLabels: { kind: client } } ]
      toPorts: [ { ports: [ { port: "80", protocol: TCP } ] } ]`;
    expect(judge(l7(extra), c, req('DELETE', '/anything')).verdict).toBe('FORWARDED');
  });
});

describe('toFQDNs through the DNS proxy (Cilium layer3.rst DNS-based; domain-notes §0 finding 5, §C.1.7)', () => {
  const dns = pod('kube-system/coredns', { 'k8s-app': 'kube-dns' }, { node: 'n2' });
  const local = pod('kube-system/node-local-dns-n1', { 'k8s-app': 'node-local-dns' }, { node: 'n1' });
  const kubeDns = { name: 'kube-dns', namespace: 'kube-system', clusterIP: '10.0.0.10', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' as const }] };
  const cc = cluster([client, dns, local], { services: [kubeDns], dnsAnswers: { 'api.example.com.': ['203.0.113.7'], 'other.example.com.': ['203.0.113.9'] } });
  const fqdnPolicy = (dnsPeers: string, pattern = '"*"') => objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: fqdn, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: client } }
  egress:
    - toFQDNs: [ { matchName: api.example.com } ]
      toPorts: [ { ports: [ { port: "443", protocol: TCP } ] } ]
    - toEndpoints: [ ${dnsPeers} ]
      toPorts: [ { ports: [ { port: "53", protocol: ANY } ], rules: { dns: [ { matchPattern: ${pattern} } ] } } ]
`);
  const kubeDnsPeer = '{ matchLabels: { "k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns } }';
  const localPeer = '{ matchLabels: { "k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": node-local-dns } }';
  const lrp = objects(`
apiVersion: cilium.io/v2
kind: CiliumLocalRedirectPolicy
metadata: { name: nodelocaldns, namespace: kube-system }
spec:
  redirectFrontend: { serviceMatcher: { serviceName: kube-dns, namespace: kube-system } }
  redirectBackend: { localEndpointSelector: { matchLabels: { k8s-app: node-local-dns } }, toPorts: [ { name: dns, port: "53", protocol: UDP } ] }
`);
  const toApi = flow('default/client', '203.0.113.7', 443, { to: { fqdn: 'api.example.com' } });

  test('a name is allowed once a DNS rule let its query through and the answer is known', () => {
    const r = judge(fqdnPolicy(kubeDnsPeer), cc, toApi);
    expect(short(r)).toBe('FORWARDED CiliumNetworkPolicy/default/fqdn');
    expect(r.steps.map((s) => s.layer)).toEqual(['fqdn', 'fqdn', 'cilium-egress']);
  });

  test('another name the policy does not list is dropped', () => {
    const r = judge(fqdnPolicy(kubeDnsPeer), cc, flow('default/client', '203.0.113.9', 443, { to: { fqdn: 'other.example.com' } }));
    expect(short(r)).toBe('DROPPED POLICY_DENIED default');
  });

  test('without a DNS rule covering the name the IP is never learned: DROPPED POLICY_DENIED (cilium/fqdn-not-covered-by-dns-pattern)', () => {
    const r = judge(fqdnPolicy(kubeDnsPeer, '"*.example.org"'), cc, toApi);
    expect(short(r)).toBe('DROPPED POLICY_DENIED default');
    expect(r.steps[1]!.detail).toBe("api.example.com. → 203.0.113.7 is never learned: the query from default/client (the Service kube-system/kube-dns sends port 53/UDP to kube-system/coredns port 53) is DENIED by CiliumNetworkPolicy/default/fqdn, so toFQDNs cannot match");
  });

  test('with a node-local-dns LRP, a DNS rule to kube-dns alone drops the query, so the name is never learned (cilium#24654)', () => {
    const r = judge([...fqdnPolicy(kubeDnsPeer), ...lrp], cc, toApi);
    expect(short(r)).toBe('DROPPED POLICY_DENIED default');
    const q = judge([...fqdnPolicy(kubeDnsPeer), ...lrp], cc, flow('default/client', '10.0.0.10', 53, { protocol: 'UDP', to: { service: 'kube-system/kube-dns' }, dns: { query: 'api.example.com' } }));
    expect(short(q)).toBe('DROPPED POLICY_DENIED default');
    expect(q.steps[0]!.detail).toBe('the Service kube-system/kube-dns is redirected by CiliumLocalRedirectPolicy/kube-system/nodelocaldns to kube-system/node-local-dns-n1 on the same node n1, port 53/UDP');
  });

  test('with the node-local-dns pod among the DNS peers the query passes and the name is learned (the seed 004 fix)', () => {
    expect(short(judge([...fqdnPolicy(`${kubeDnsPeer}, ${localPeer}`), ...lrp], cc, toApi))).toBe('FORWARDED CiliumNetworkPolicy/default/fqdn');
  });

  test('the DNS proxy refuses a query no DNS rule matches: DENIED without a drop reason', () => {
    const q = judge(fqdnPolicy(kubeDnsPeer, '"*.example.org"'), cc, flow('default/client', '10.0.0.10', 53, { protocol: 'UDP', to: { service: 'kube-system/kube-dns' }, dns: { query: 'api.example.com' } }));
    expect(short(q)).toBe('DENIED CiliumNetworkPolicy/default/fqdn');
  });
});

describe('ingress from outside', () => {
  test('fromEntities: [world] admits outside addresses, not pods (layer3.rst)', () => {
    const objs = objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: w, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: server } }
  ingress: [ { fromEntities: [ world ] } ]
`);
    expect(judge(objs, c, { name: 'in', from: { ip: '8.8.8.8' }, to: { pod: 'default/server' }, port: 80, protocol: 'TCP' }).verdict).toBe('FORWARDED');
    expect(judge(objs, c, flow('default/client', 'default/server', 80)).verdict).toBe('DROPPED');
  });

  test('the local host reaches its endpoints whatever the ingress policy (allow-localhost default, layer3.rst)', () => {
    const objs = objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: deny-in, namespace: default }
spec:
  endpointSelector: { matchLabels: { kind: server } }
  ingress: [ {} ]
`);
    expect(judge(objs, c, { name: 'probe', from: { node: 'n1' }, to: { pod: 'default/server' }, port: 80, protocol: 'TCP' }).verdict).toBe('FORWARDED');
    expect(short(judge(objs, c, { name: 'remote', from: { node: 'n2' }, to: { pod: 'default/server' }, port: 80, protocol: 'TCP' }))).toBe('DROPPED POLICY_DENIED default');
  });
});

describe('Kubernetes NetworkPolicy on Cilium (kubernetes/website network-policies.md; Cilium deny.rst)', () => {
  const knp = (spec: string) => objects(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: knp, namespace: default }
spec:
${spec}`);
  test('a KNP ingress default deny drops pod to pod, and egress to the world still works (cilium-cli all_ingress_deny_knp.go)', () => {
    const objs = knp('  podSelector: {}\n  policyTypes: [Ingress]\n');
    expect(short(judge(objs, c, flow('default/client', 'default/server', 80)))).toBe('DROPPED POLICY_DENIED default');
    expect(short(judge(objs, c, flow('default/client', '8.8.8.8', 443)))).toBe('FORWARDED default');
  });

  test('a KNP egress: [{}] allows all egress (the opposite of Cilium egress: [{}])', () => {
    const objs = knp('  podSelector: {}\n  policyTypes: [Egress]\n  egress: [ {} ]\n');
    expect(short(judge(objs, c, flow('default/client', '8.8.8.8', 443)))).toBe('FORWARDED NetworkPolicy/default/knp');
  });

  test('podSelector and namespaceSelector in one peer are ANDed; ports with a protocol and a named port', () => {
    const objs = knp(`  podSelector: { matchLabels: { kind: server } }
  ingress:
    - from: [ { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: default } }, podSelector: { matchLabels: { kind: client } } } ]
      ports: [ { port: http } ]
`);
    expect(short(judge(objs, c, flow('default/client', 'default/server', 80)))).toBe('FORWARDED NetworkPolicy/default/knp');
    expect(judge(objs, c, flow('default/client', 'default/server', 80, { protocol: 'UDP' })).verdict).toBe('DROPPED');
    expect(judge(objs, c, flow('default/server', 'default/server', 80)).verdict).toBe('DROPPED');
  });

  test('ipBlock with except; a CNP egressDeny beats the KNP allow (deny.rst: "regardless of ... a Kubernetes Network Policy")', () => {
    const objs = [...knp(`  podSelector: {}
  policyTypes: [Egress]
  egress: [ { to: [ { ipBlock: { cidr: 8.0.0.0/8, except: [ 8.8.4.0/24 ] } } ] } ]
`), ...objects(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: deny, namespace: default }
spec:
  endpointSelector: {}
  egressDeny: [ { toCIDR: [ 8.8.8.8/32 ] } ]
`)];
    expect(short(judge(objs, c, flow('default/client', '8.1.1.1', 443)))).toBe('FORWARDED NetworkPolicy/default/knp');
    expect(short(judge(objs, c, flow('default/client', '8.8.4.4', 443)))).toBe('DROPPED POLICY_DENIED default');
    expect(short(judge(objs, c, flow('default/client', '8.8.8.8', 443)))).toBe('DROPPED POLICY_DENY CiliumNetworkPolicy/default/deny');
  });
});

describe('Local Redirect Policy (Cilium local-redirect-policy.rst; domain-notes §A.5)', () => {
  const lrp = objects(`
apiVersion: cilium.io/v2
kind: CiliumLocalRedirectPolicy
metadata: { name: nodelocaldns, namespace: kube-system }
spec:
  redirectFrontend: { serviceMatcher: { serviceName: kube-dns, namespace: kube-system } }
  redirectBackend: { localEndpointSelector: { matchLabels: { k8s-app: node-local-dns } }, toPorts: [ { name: dns, port: "53", protocol: UDP } ] }
`);
  const kubeDns = { name: 'kube-dns', namespace: 'kube-system', clusterIP: '10.0.0.10', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' as const }] };
  const coredns = pod('kube-system/coredns', { 'k8s-app': 'kube-dns' }, { node: 'n2' });
  const cache = pod('kube-system/node-local-dns-n2', { 'k8s-app': 'node-local-dns' }, { node: 'n2' });
  const q = (from: string): Flow => ({ name: 'dns', from: { pod: from }, to: { ip: '10.0.0.10' }, port: 53, protocol: 'UDP' });

  test('a client on a node without a local backend goes to the Service backends', () => {
    const r = judge(lrp, cluster([client, coredns, cache], { services: [kubeDns] }), q('default/client'));
    expect(r.steps.map((s) => s.detail).slice(0, 2)).toEqual([
      'CiliumLocalRedirectPolicy/kube-system/nodelocaldns matches the Service kube-system/kube-dns, but no backend pod runs on node n1; the Service\'s own backends are used',
      'the Service kube-system/kube-dns sends port 53/UDP to kube-system/coredns port 53',
    ]);
  });

  test('a client on the cache\'s node is redirected to it', () => {
    const r = judge(lrp, cluster([pod('default/client', { kind: 'client' }, { node: 'n2' }), coredns, cache], { services: [kubeDns] }), q('default/client'));
    expect(r.steps[0]!.detail).toBe('the Service kube-system/kube-dns is redirected by CiliumLocalRedirectPolicy/kube-system/nodelocaldns to kube-system/node-local-dns-n2 on the same node n2, port 53/UDP');
  });

  test('an outside address to an outside address: no policy judges it', () => {
    const r = judge([], c, { name: 'x', from: { ip: '8.8.8.8' }, to: { ip: '1.1.1.1' }, port: 443, protocol: 'TCP' });
    expect(r.steps).toEqual([{ layer: 'note', outcome: 'info', detail: 'neither end is a pod of cluster.pods, so no policy judges this flow' }]);
  });
});
