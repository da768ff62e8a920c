import { App } from 'cdk8s';
import { expect, test } from 'vitest';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import {
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  DnsAccess,
  DnsPatterns,
  EndpointSelector,
  Entity,
  FqdnSelector,
  HttpRule,
  LabelOperator,
  NetsecChart,
  NetsecError,
  Peer,
  PolicyDefault,
  Port,
  Protocol,
  Target,
} from '../../src/index.js';
import { synthValid } from '../util.js';

const TARGETS = `targets:
  - name: aks-cilium
    kubernetes: "1.30"
    cilium: "1.17"
    cluster: { nodeLocalDns: true }
  - name: onprem-calico
    kubernetes: "1.31"
    calico: "3.30"
`;

const POLICIES = `ciliumPolicies:
  - name: api-egress
    namespace: shop
    description: FQDN egress
    endpointSelector:
      matchLabels: { app: web }
      matchExpressions: [{ key: tier, operator: In, values: [front] }]
    dnsPatterns: fqdns
    egress:
      - to: { fqdns: [{ matchName: api.example.com }, { matchPattern: "*.cdn.example.com" }] }
        ports: [{ port: 443, protocol: TCP }]
      - to: { pods: [{ namespace: monitoring, matchLabels: { app: prometheus } }, { allNamespaces: true, matchLabels: { app: otel } }] }
        ports: [{ port: 4317, endPort: 4318, protocol: TCP }]
      - to: { cidrs: [10.10.0.0/16, { cidr: 192.168.0.0/16, except: [192.168.1.0/24] }] }
      - to: { entities: [kube-apiserver] }
        ports: [{ port: https, protocol: TCP }]
    ingress:
      - from: { pods: [{ policyNamespace: true, matchLabels: { org: client-pod } }] }
        ports: [{ port: 80, protocol: TCP }]
        http: [{ method: GET, path: /discount }]
    ingressDeny:
      - from: { cidrs: [203.0.113.0/24] }
  - name: block-imds
    kind: CiliumClusterwideNetworkPolicy
    egressDefault: allow
    egressDeny:
      - to: { cidrs: [169.254.169.254/32] }
  - name: manual-dns
    dns: manual
    egressDefault: deny
    egress:
      - to: { pods: [{ namespace: kube-system, matchLabels: { k8s-app: kube-dns } }, { namespaceLabels: { kubernetes.io/metadata.name: kube-system }, matchLabels: { k8s-app: node-local-dns } }] }
        ports: [{ port: 53, protocol: ANY }]
        dns: [{ matchPattern: "*" }]
`;

/** The same policies, written in TypeScript. */
function typescriptTwin(app: App, target: Target): void {
  const chart = new NetsecChart(app, 'aks-cilium-cilium-policies', { target, component: 'cilium-policies' });
  new CiliumNetworkPolicy(chart, 'ApiEgress', {
    namespace: 'shop',
    description: 'FQDN egress',
    endpointSelector: EndpointSelector.of({ labels: { app: 'web' }, expressions: [{ key: 'tier', operator: LabelOperator.IN, values: ['front'] }] }),
    dnsPatterns: DnsPatterns.FQDNS,
  })
    .allowEgress({ to: [Peer.fqdn('api.example.com'), Peer.fqdnPattern('*.cdn.example.com')], ports: [Port.tcp(443)] })
    .allowEgress({ to: [Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Peer.podsInAllNamespaces({ app: 'otel' })], ports: [Port.tcpRange(4317, 4318)] })
    .allowEgress({ to: [Peer.cidr('10.10.0.0/16'), Peer.cidr('192.168.0.0/16', ['192.168.1.0/24'])] })
    .allowEgress({ to: [Peer.entity(Entity.KUBE_APISERVER)], ports: [Port.named('https', Protocol.TCP)] })
    .allowIngress({ from: [Peer.podsInPolicyNamespace({ org: 'client-pod' })], ports: [Port.tcp(80)], http: [HttpRule.get('/discount')] })
    .denyIngress({ from: [Peer.cidr('203.0.113.0/24')] });
  new CiliumClusterwideNetworkPolicy(chart, 'BlockImds', { egressDefault: PolicyDefault.ALLOW }).denyEgress({ to: [Peer.cidr('169.254.169.254/32')] });
  new CiliumNetworkPolicy(chart, 'ManualDns', { dns: DnsAccess.MANUAL, egressDefault: PolicyDefault.DENY }).allowEgress({
    to: [Peer.podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' }), Peer.podsInNamespacesLabeled({ 'kubernetes.io/metadata.name': 'kube-system' }, { 'k8s-app': 'node-local-dns' })],
    ports: [Port.anyProtocol(53)],
    dns: [FqdnSelector.matchPattern('*')],
  });
}

test('ciliumPolicies in netsec.yaml builds exactly what the TypeScript API builds, only for Cilium targets', async () => {
  const fromYaml = synthValid(await buildApp(parseConfig(TARGETS + POLICIES, 'netsec.yaml')));
  const app = new App({ outdir: 'unused' });
  typescriptTwin(app, new Target({ name: 'aks-cilium', kubernetes: '1.30', cilium: '1.17', cluster: { nodeLocalDns: true } }));
  const fromTs = synthValid(app);
  const yamlFile = fromYaml.files.find((f) => f.path === 'aks-cilium/cilium-policies.yaml');
  expect(yamlFile?.content).toBe(fromTs.files.find((f) => f.path === 'aks-cilium/cilium-policies.yaml')?.content);
  expect(yamlFile?.content).toContain('k8s:k8s-app: node-local-dns');
  expect(fromYaml.files.some((f) => f.path.startsWith('onprem-calico/cilium'))).toBe(false);
});

test('an error in an entry names the file and the entry', async () => {
  const bad = `${TARGETS}ciliumPolicies:\n  - name: web\n    targets: [aks-cilium]\n    egress:\n      - to: { fqdns: [{ matchName: api.example.com }], entities: [world] }\n`;
  await expect(buildApp(parseConfig(bad, 'netsec.yaml'))).rejects.toThrow(
    "netsec.yaml:10:5: cilium/l3-selector-kinds-mixed: CiliumNetworkPolicy 'default/web' at egress[0].toFQDNs: combines toEntities and toFQDNs in one rule; Cilium's agent refuses that (\"combining ToEntities and ToFQDNs is not supported yet\"), and the whole policy is then not enforced although the API server stored it. Split it into one rule per peer kind. In netsec: one allowEgress/denyEgress call per peer kind.",
  );
});

test('a clusterwide policy with a namespace is a config error', async () => {
  const bad = `${TARGETS}ciliumPolicies:\n  - name: x\n    kind: CiliumClusterwideNetworkPolicy\n    namespace: shop\n    egressDefault: deny\n`;
  let error: unknown;
  try {
    await buildApp(parseConfig(bad, 'netsec.yaml'));
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(NetsecError);
  expect((error as NetsecError).code).toBe('CONFIG');
  expect((error as Error).message).toBe(
    "netsec.yaml:12:16: a CiliumClusterwideNetworkPolicy is cluster-scoped and has no namespace; remove 'namespace' or use kind CiliumNetworkPolicy.",
  );
});

test('the schema demands exactly one namespace scope per pod peer', () => {
  const bad = `${TARGETS}ciliumPolicies:\n  - name: web\n    egress:\n      - to: { pods: [{ matchLabels: { app: db } }] }\n`;
  expect(() => parseConfig(bad, 'netsec.yaml')).toThrow(
    "netsec.yaml:12:22: ciliumPolicies[0].egress[0].to.pods[0] has none of 'namespace', 'policyNamespace', 'allNamespaces', 'namespaceLabels'; expected exactly one of them; add one",
  );
  const two = bad.replace('{ matchLabels: { app: db } }', '{ namespace: a, allNamespaces: true, matchLabels: { app: db } }');
  expect(() => parseConfig(two, 'netsec.yaml')).toThrow(
    "netsec.yaml:12:22: ciliumPolicies[0].egress[0].to.pods[0] has more than one of 'namespace', 'policyNamespace', 'allNamespaces', 'namespaceLabels'; expected exactly one of them; keep one",
  );
});
