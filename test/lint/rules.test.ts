import { describe, expect, test } from 'vitest';
import { ApplyMode, LintRule, Manifest, ManifestIndex, NetsecError, RULES, Severity, Target, TargetProps, lint } from '../../src/index.js';

/** Lints hand-written objects (as `netsec validate` will) and returns `[ruleId, severity, path, message]` rows. */
function findings(objects: Record<string, unknown>[], target: TargetProps = { name: 't', kubernetes: '1.30', cilium: '1.17', calico: '3.30' }) {
  const manifests: Manifest[] = objects.map((object, i) => ({ object, applied: true, location: { file: 'in.yaml', line: i * 10 + 1, column: 1 } }));
  return lint(new ManifestIndex(new Target(target), manifests)).findings.map((f) => [f.ruleId, f.severity, f.path, f.message]);
}

const ccnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });
const cnp = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const ALL_APPS = { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] };

test('every rule id is unique and in <area>/<kebab-name> form', () => {
  const ids = RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) expect(id).toMatch(/^(k8s|cilium|calico|dns|lrp|hubble|istio|gitops)\/[a-z0-9]+(-[a-z0-9]+)*$/);
});

describe('lint on objects outside their schema', () => {
  /** A rule that reads spec.items as a list, as rules read fields the schema types. */
  const itemsRule: LintRule = {
    id: 'k8s/test-items',
    severity: Severity.ERROR,
    summary: 'test',
    explanation: 'test',
    check: (index) =>
      index.ofKind('Thing').flatMap((m) => ((m.object.spec as { items: string[] }).items).filter((i) => i === 'bad').map(() => ({ manifest: m, path: 'spec.items', message: 'bad item' }))),
  };
  const thing = (name: string, items: unknown, outsideSchema?: boolean): Manifest => ({
    object: { apiVersion: 'x/v1', kind: 'Thing', metadata: { name }, spec: { items } },
    applied: true,
    ...(outsideSchema ? { outsideSchema } : {}),
  });
  const index = (...manifests: Manifest[]) => new ManifestIndex(new Target({ name: 't', kubernetes: '1.30' }), manifests);

  test('a rule that fails on an object outside its schema judges the others again without it, and says which it left out', () => {
    const broken = thing('b', 'not-a-list', true);
    const result = lint(index(thing('a', ['bad']), broken, thing('c', ['ok'])), { rules: [itemsRule] });
    expect(result.findings.map((f) => f.message)).toEqual(["Thing 'a' at spec.items: bad item"]);
    expect(result.unjudged).toEqual([{ ruleId: 'k8s/test-items', objects: [broken] }]);
  });

  test('a rule that fails with every object within its schema is a bug in netsec: the error goes on', () => {
    const failing: LintRule = { ...itemsRule, check: () => { throw new TypeError('boom'); } };
    expect(() => lint(index(thing('a', ['ok'])), { rules: [failing] })).toThrow(new TypeError('boom'));
    // and when it fails without the objects outside their schema too
    expect(() => lint(index(thing('a', ['ok']), thing('b', 1, true)), { rules: [failing] })).toThrow(new TypeError('boom'));
  });

  test("a rule's own refusal (a NetsecError) is never taken for a reading failure", () => {
    const refusing: LintRule = { ...itemsRule, check: () => { throw new NetsecError('INVALID', 'refused'); } };
    expect(() => lint(index(thing('b', 1, true)), { rules: [refusing] })).toThrow('refused');
  });
});

describe('k8s/duplicate-object', () => {
  test('two objects with one group, kind, namespace and name: the second is reported, naming where the first came from', () => {
    const gnp = (apiVersion: string) => ({ apiVersion, kind: 'GlobalNetworkPolicy', metadata: { name: 'eb' }, spec: { types: ['Egress'] } });
    expect(findings([gnp('crd.projectcalico.org/v1'), gnp('projectcalico.org/v3')]).filter((f) => f[0] !== 'calico/crd-v1-bypasses-validation')).toEqual([
      ['k8s/duplicate-object', 'error', 'metadata.name', "GlobalNetworkPolicy 'eb' at metadata.name: has the same API group, kind, namespace and name as the object from in.yaml:1:1; on apply only the last one survives and the other silently does not exist. Give one of them another name."],
    ]);
  });
  test('same name in another namespace, another kind or another group (Kubernetes vs Calico NetworkPolicy) is fine', () => {
    expect(findings([
      cnp('a', 'p', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toEntities: ['world'] }] }),
      cnp('b', 'p', { endpointSelector: { matchLabels: { app: 'x' } }, egress: [{ toEntities: ['world'] }] }),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'a' }, spec: {} },
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'a' }, spec: { types: ['Ingress'] } },
    ])).toEqual([]);
  });
});

describe('k8s/object-too-large', () => {
  const configMap = (bytes: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'default' }, data: { x: 'a'.repeat(bytes) } });
  test('client-side apply: over the annotation cap once copied into last-applied-configuration', () => {
    // 262,144 - len('kubectl.kubernetes.io/last-applied-configuration') (48) - 1 (kubectl's newline) = 262,095 bytes of JSON fit.
    const fits = configMap(0);
    const overhead = JSON.stringify(fits).length;
    expect(findings([configMap(262_095 - overhead)])).toEqual([]);
    expect(findings([configMap(262_096 - overhead)])).toEqual([
      ['k8s/object-too-large', 'error', '', "ConfigMap 'default/big': is 262,096 bytes; client-side apply copies it into the kubectl.kubernetes.io/last-applied-configuration annotation, and all annotations (262,145 bytes then) are capped at 262,144. Split the content over several objects, or set the target's applyMode: server-side if the cluster is applied with server-side apply (Flux, Argo CD ServerSideApply=true)."],
    ]);
  });
  test('server-side apply: the ConfigMap data limit (1 MiB) still applies', () => {
    const target = { name: 't', kubernetes: '1.30', applyMode: ApplyMode.SERVER_SIDE };
    expect(findings([configMap(300_000)], target)).toEqual([]);
    expect(findings([configMap(1_048_576)], target)).toEqual([
      ['k8s/object-too-large', 'error', 'data', "ConfigMap 'default/big' at data: holds 1,048,577 bytes of data; a ConfigMap holds at most 1,048,576. Split it."],
    ]);
  });
});

describe('k8s/cluster-owned-object and dns/kube-dns-label-taken', () => {
  test("CoreDNS's own ConfigMap and the kube-dns Service are refused; the same names elsewhere are fine", () => {
    expect(findings([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: {} },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: {} },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'tools' }, data: {} },
    ]).map((f) => f.slice(0, 3).concat(String(f[3]).split(':')[0]))).toEqual([
      ['k8s/cluster-owned-object', 'error', 'metadata.name', "ConfigMap 'kube-system/coredns' at metadata.name"],
      ['k8s/cluster-owned-object', 'error', 'metadata.name', "Service 'kube-system/kube-dns' at metadata.name"],
    ]);
  });
  test('the names of kube-proxy, the Cilium and Calico components and kube-root-ca.crt (any namespace) are refused for their kinds; a policy may carry one', () => {
    const obj = (kind: string, namespace: string, name: string, apiVersion = 'v1') => ({ apiVersion, kind, metadata: { name, namespace } });
    expect(findings([
      obj('DaemonSet', 'kube-system', 'cilium', 'apps/v1'),
      obj('ServiceAccount', 'kube-system', 'cilium'),
      obj('ConfigMap', 'kube-system', 'kube-proxy'),
      obj('ConfigMap', 'shop', 'kube-root-ca.crt'),
      obj('DaemonSet', 'calico-system', 'calico-node', 'apps/v1'),
      obj('ConfigMap', 'kube-system', 'hubble-relay-config'),
      // Not taken: a policy named after a component, a component name in another namespace, another kind.
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'cilium', namespace: 'kube-system' }, spec: { endpointSelector: {} } },
      obj('DaemonSet', 'tools', 'cilium', 'apps/v1'),
      obj('Secret', 'shop', 'kube-root-ca.crt'),
    ]).filter((f) => f[0] === 'k8s/cluster-owned-object').map((f) => f[3])).toEqual([
      "DaemonSet 'kube-system/cilium' at metadata.name: is a name of the Cilium agent (its DaemonSet and ServiceAccount); applying this object replaces it. Choose another name.",
      "ServiceAccount 'kube-system/cilium' at metadata.name: is a name of the Cilium agent (its DaemonSet and ServiceAccount); applying this object replaces it. Choose another name.",
      "ConfigMap 'kube-system/kube-proxy' at metadata.name: is a name of kube-proxy (its DaemonSet, ServiceAccount and configuration); applying this object replaces it. Choose another name.",
      "ConfigMap 'shop/kube-root-ca.crt' at metadata.name: is the cluster's root CA bundle, which Kubernetes publishes into every namespace for pods to trust the API server; applying this object replaces it. Choose another name.",
      "DaemonSet 'calico-system/calico-node' at metadata.name: is a name of Calico's node agent (calico-node); applying this object replaces it. Choose another name.",
      "ConfigMap 'kube-system/hubble-relay-config' at metadata.name: is Hubble Relay's configuration; applying this object replaces it. Choose another name.",
    ]);
  });
  test("pods labelled with CoreDNS's k8s-app: kube-dns are refused unless they are CoreDNS", () => {
    const ds = (name: string, app: string) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'kube-system' }, spec: { template: { metadata: { labels: { 'k8s-app': app } } } } });
    expect(findings([ds('kube-dns', 'kube-dns'), ds('node-local-dns', 'node-local-dns')])).toEqual([
      ['dns/kube-dns-label-taken', 'error', 'spec.template.metadata.labels', "DaemonSet 'kube-system/kube-dns' at spec.template.metadata.labels: labels its pods k8s-app: kube-dns, the label the kube-dns Service selects CoreDNS by: these pods would receive cluster DNS queries. Use another value (NodeLocal DNSCache uses node-local-dns)."],
    ]);
  });
});

describe('calico tiers', () => {
  const tier = (name: string, order?: number) => ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'Tier', metadata: { name }, spec: { ...(order === undefined ? {} : { order }), defaultAction: 'Pass' } });
  const denyIn = (t: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: `${t}.block` }, spec: { tier: t, order: 0, types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['192.0.2.0/24'] } }, { action: 'Pass' }] } });
  test.each(['default', 'kube-admin', 'kube-baseline', 'adminnetworkpolicy'])("calico/reserved-tier: a Tier named '%s' is refused", (name) => {
    expect(findings([tier(name, 100)])).toEqual([
      ['calico/reserved-tier', 'error', 'metadata.name', `Tier '${name}' at metadata.name: '${name}' is a tier Calico creates and owns; applying this object changes how every policy in it is evaluated. Name your tier differently (for example 'egress-blocking').`],
    ]);
  });
  test('calico/deny-tier-after-default: Deny rules in a tier at or after the default tier (or without order)', () => {
    expect(findings([tier('late', 1_000_000), denyIn('late')])).toEqual([
      ['calico/deny-tier-after-default', 'error', 'spec.order', "Tier 'late' at spec.order: has order 1,000,000, at or after the default tier (1,000,000), and its policies deny traffic: a Kubernetes NetworkPolicy that selects an endpoint decides in the default tier first, so these Deny rules never block what it allows. Give the tier an order below 1,000,000 (netsec's egress block uses 100)."],
    ]);
    expect(findings([tier('last'), denyIn('last')]).map((f) => f[0])).toEqual(['calico/deny-tier-after-default']);
    expect(findings([tier('early', 999_999), denyIn('early')])).toEqual([]);
    expect(findings([tier('late', 2_000_000)])).toEqual([]); // nothing to deny
  });
});

describe('cilium/deny-cluster-infrastructure', () => {
  const target = { name: 't', kubernetes: '1.30', cilium: '1.17', cluster: { serviceCidrs: ['10.0.0.0/16'], apiServerCidrs: ['172.16.0.1/32'] } };
  const deny = (egressDeny: Record<string, unknown>, endpointSelector: Record<string, unknown> = {}) =>
    findings([ccnp('d', { endpointSelector, enableDefaultDeny: { egress: false }, egressDeny: [egressDeny] })], target).map((f) => [f[0], f[2], f[3]]);
  const row = (what: string) => [
    'cilium/deny-cluster-infrastructure',
    'spec.egressDeny[0]',
    `CiliumClusterwideNetworkPolicy 'd' at spec.egressDeny[0]: denies egress to ${what} for every workload the endpointSelector selects (every pod, save excluded namespaces): deny wins over every allow, so they all lose it at once. Narrow the endpointSelector to the workloads meant, or remove those peers from the deny.`,
  ];
  test.each([
    ['kube-dns pods', { toEndpoints: [{ matchLabels: { 'k8s:k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }] }, 'cluster DNS (the kube-dns pods)'],
    ['kube-dns pods (namespace-less in a CCNP: every namespace)', { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }] }, 'cluster DNS (the kube-dns pods)'],
    ['the API server entity', { toEntities: ['kube-apiserver'] }, 'the Kubernetes API server (entity kube-apiserver)'],
    ['0.0.0.0/0', { toCIDR: ['0.0.0.0/0'] }, 'every IPv4 address (0.0.0.0/0)'],
    ['the service CIDR', { toCIDRSet: [{ cidr: '10.0.0.0/8' }] }, 'the service CIDR (the kube-dns Service and every other Service) 10.0.0.0/16'],
    ['the API server address', { toCIDR: ['172.16.0.0/12'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, 'the API server 172.16.0.1/32'],
    ['DNS to everyone', { toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }, 'DNS (port 53) to every destination'],
  ])('refused: a cluster-wide deny of %s', (_name, rule, what) => {
    expect(deny(rule)).toEqual([row(what)]);
    expect(deny(rule, ALL_APPS)).toEqual([row(what)]);
  });
  test.each([
    ['a deny scoped to some workloads', { toEntities: ['kube-apiserver'] }, { matchLabels: { app: 'untrusted' } }],
    ['a deny of world on one port (SMTP)', { toEntities: ['world'], toPorts: [{ ports: [{ port: '25', protocol: 'TCP' }] }] }, {}],
    ['a deny of kube-dns on a port other than 53', { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '9153', protocol: 'TCP' }] }] }, {}],
    ['a geo-block list', { toCIDRSet: [{ cidr: '192.0.2.0/24' }] }, {}],
  ])('accepted: %s', (_name, rule, selector) => {
    expect(deny(rule, selector)).toEqual([]);
  });
  test('CIDR groups the deny references are looked up', () => {
    const group = { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'g', labels: { owner: 'x' } }, spec: { externalCIDRs: ['10.0.5.0/24'] } };
    const byRef = ccnp('d', { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'g' }] }] });
    const bySelector = ccnp('s', { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { owner: 'x' } } }] }] });
    expect(findings([group, byRef, bySelector], target).map((f) => [f[0], String(f[3]).split(' at ')[0]])).toEqual([
      ['cilium/deny-cluster-infrastructure', "CiliumClusterwideNetworkPolicy 'd'"],
      ['cilium/deny-cluster-infrastructure', "CiliumClusterwideNetworkPolicy 's'"],
    ]);
  });
});

describe('cilium/cidr-group-selector-selects-all', () => {
  test('an empty cidrGroupSelector is refused; one with a label is fine', () => {
    const p = (sel: Record<string, unknown>) => ccnp('p', { endpointSelector: { matchLabels: { app: 'x' } }, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupSelector: sel }] }] });
    // A group the labelled selector finds (else cilium/cidrgroup-ref-missing warns that it selects nothing).
    const group = { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'geo', labels: { 'netsec.io/egress-block': 'geo' } }, spec: { externalCIDRs: ['192.0.2.0/24'] } };
    expect(findings([p({ matchLabels: {} }), group])).toEqual([
      ['cilium/cidr-group-selector-selects-all', 'error', 'spec.egressDeny[0].toCIDRSet[0].cidrGroupSelector', "CiliumClusterwideNetworkPolicy 'p' at spec.egressDeny[0].toCIDRSet[0].cidrGroupSelector: has no label requirement, so it selects every CiliumCIDRGroup in the cluster, not only the groups meant. Select by a label only those groups carry, or reference the groups by name (cidrGroupRef)."],
    ]);
    expect(findings([p({}), group]).map((f) => f[0])).toEqual(['cilium/cidr-group-selector-selects-all']);
    expect(findings([p({ matchLabels: { 'netsec.io/egress-block': 'geo' } }), group])).toEqual([]);
  });
});

describe('cilium/cidr-identity-cost', () => {
  const inline = (n: number) => Array.from({ length: n }, (_, i) => `11.${(i >> 8) & 255}.${i & 255}.0/24`);
  const p = (n: number) => cnp('app', 'p', { endpointSelector: {}, egress: [{ toCIDR: inline(n) }] });
  const serverSide = (cilium: string) => ({ name: 't', kubernetes: '1.30', cilium, applyMode: ApplyMode.SERVER_SIDE });
  test('inline CIDRs over the policy map size are an error on every line', () => {
    expect(findings([p(16_385)], serverSide('1.17')).map((f) => [f[0], f[1]])).toEqual([['cilium/cidr-identity-cost', 'error']]);
    expect(findings([p(16_385)], serverSide('1.16')).map((f) => [f[0], f[1]])).toEqual([['cilium/cidr-identity-cost', 'error']]);
  });
  test('from 1.17, where a CiliumCIDRGroup is one identity, 1,024 or more inline CIDRs are a warning that says so', () => {
    expect(findings([p(1024)], serverSide('1.17'))).toEqual([
      ['cilium/cidr-identity-cost', 'warning', '', "CiliumNetworkPolicy 'app/p': lists 1,024 CIDRs inline, each a security identity and a policy-map entry for every endpoint it selects (the default map holds 16,384). Put them in a CiliumCIDRGroup and reference it with cidrGroupRef: on Cilium 1.17 a group is one identity."],
    ]);
    expect(findings([p(1023)], serverSide('1.17'))).toEqual([]);
    // Before 1.17 a group costs one identity per CIDR too, so moving them would not help.
    expect(findings([p(2000)], serverSide('1.16'))).toEqual([]);
  });
});

describe('cilium/default-deny-reaches-kube-system', () => {
  test('a CNP in kube-system with an egress section warns; with enableDefaultDeny.egress false it does not', () => {
    const sel = { matchLabels: { 'k8s-app': 'kube-dns' } };
    expect(findings([cnp('kube-system', 'dns', { endpointSelector: sel, egress: [{ toEntities: ['world'] }] })])).toEqual([
      ['cilium/default-deny-reaches-kube-system', 'warning', 'spec.endpointSelector', "CiliumNetworkPolicy 'kube-system/dns' at spec.endpointSelector: switches kube-system pods (CoreDNS, node-local-dns, cilium-operator) to egress default-deny: whatever the rules do not allow is dropped. Make sure every flow those pods need is allowed, or set enableDefaultDeny.egress: false."],
    ]);
    expect(findings([cnp('kube-system', 'dns', { endpointSelector: sel, enableDefaultDeny: { egress: false }, egressDeny: [{ toEntities: ['world'] }] })])).toEqual([]);
    expect(findings([cnp('app', 'p', { endpointSelector: {}, egress: [{ toEntities: ['world'] }] })])).toEqual([]);
  });
  test('a CCNP for every pod warns unless kube-system is excluded; one for particular workloads does not', () => {
    expect(findings([ccnp('all', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })]).map((f) => [f[0], f[2]])).toEqual([['cilium/default-deny-reaches-kube-system', 'spec.endpointSelector']]);
    expect(findings([ccnp('apps', { endpointSelector: ALL_APPS, ingress: [{ fromEntities: ['cluster'] }] })])).toEqual([]);
    expect(findings([ccnp('web', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEntities: ['cluster'] }] })])).toEqual([]);
  });
  // cilium examples/policies/l3/entities/from_world_deny.yaml: a deny paired with an allow of every peer on every port,
  // so nothing but the denied traffic is dropped (Documentation/security/policy/language.rst).
  test('a rule that also allows every peer on every port drops nothing beyond its deny rules', () => {
    expect(findings([ccnp('from-world-deny', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }], ingress: [{ fromEntities: ['all'] }] })])).toEqual([]);
    // An allow of every peer on one port still drops the other ports.
    expect(findings([ccnp('port', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }], ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })]).map((f) => f[0])).toEqual(['cilium/default-deny-reaches-kube-system']);
  });
});
