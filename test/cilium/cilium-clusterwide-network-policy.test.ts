import { ApiObject, JsonPatch } from 'cdk8s';
import { expect, test } from 'vitest';
import { stringify } from 'yaml';
import { CiliumClusterwideNetworkPolicy, EndpointSelector, Entity, LabelOperator, NodeLocalDnsCache, Peer, PolicyDefault, Port } from '../../src/index.js';
import { findOne, synthValid, targetChart } from '../util.js';

const cilium = (line = '1.17') => targetChart({ name: 'aks-cilium', kubernetes: '1.30', cilium: line });

test('the egress-block shape: egressDeny to a CIDR group with enableDefaultDeny.egress false (snapshot)', async () => {
  const { app, chart } = cilium('1.18');
  new CiliumClusterwideNetworkPolicy(chart, 'GeoBlock', {
    endpointSelector: EndpointSelector.of({ expressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: LabelOperator.NOT_IN, values: ['kube-system'] }] }),
    egressDefault: PolicyDefault.ALLOW,
  }).denyEgress({ to: [Peer.cidrGroup('geo-blocked')] });
  const policy = findOne(synthValid(app).objects, 'CiliumClusterwideNetworkPolicy', 'geo-block');
  expect(policy.metadata).toEqual({ name: 'geo-block' });
  expect(policy.spec).toEqual({
    endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] },
    egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'geo-blocked' }] }],
    enableDefaultDeny: { egress: false },
  });
  await expect(stringify(policy)).toMatchFileSnapshot('__snapshots__/geo-block.k8s.yaml');
});

test('a clusterwide default-deny gets the same DNS rule, with node-local-dns when the cache is on', () => {
  const { app, chart } = cilium();
  new NodeLocalDnsCache(chart, 'Cache');
  new CiliumClusterwideNetworkPolicy(chart, 'Lockdown', { endpointSelector: EndpointSelector.labels({ 'k8s:io.kubernetes.pod.namespace': 'sandbox' }), egressDefault: PolicyDefault.DENY })
    .allowEgress({ to: [Peer.podsInAllNamespaces({ app: 'proxy' })], ports: [Port.tcp(3128)] });
  const spec = findOne(synthValid(app).objects, 'CiliumClusterwideNetworkPolicy').spec;
  expect(spec.egress[1].toEndpoints.map((s: { matchLabels: Record<string, string> }) => s.matchLabels['k8s:k8s-app'])).toEqual(['kube-dns', 'node-local-dns']);
  expect(spec.egress[0].toEndpoints[0].matchExpressions).toEqual([{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }]);
});

test('a clusterwide policy has no namespace for Peer.podsInPolicyNamespace()', () => {
  expect(() => new CiliumClusterwideNetworkPolicy(cilium().chart, 'X').allowEgress({ to: [Peer.podsInPolicyNamespace({ app: 'db' })] })).toThrow(
    "CiliumClusterwideNetworkPolicy 'x': egress[0]: Peer.podsInPolicyNamespace({app=db}) has no namespace to refer to in a clusterwide policy; name one with namespace: NAME (Peer.podsInNamespace(...)) or use allNamespaces: true (Peer.podsInAllNamespaces(...)).",
  );
});

test('escape hatch: an L1 JSON patch on the single Resource child', () => {
  const { app, chart } = cilium();
  const policy = new CiliumClusterwideNetworkPolicy(chart, 'Patched').allowIngress({ from: [Peer.entity(Entity.HEALTH)] });
  ApiObject.of(policy).addJsonPatch(JsonPatch.add('/spec/description', 'patched'));
  expect(findOne(synthValid(app).objects, 'CiliumClusterwideNetworkPolicy').spec.description).toBe('patched');
});

test('a clusterwide default-deny that reaches kube-system warns; excluding kube-system silences it', () => {
  const { app, chart } = cilium();
  new CiliumClusterwideNetworkPolicy(chart, 'Everything', { egressDefault: PolicyDefault.DENY });
  new CiliumClusterwideNetworkPolicy(chart, 'AppsOnly', {
    endpointSelector: EndpointSelector.of({ expressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: LabelOperator.NOT_IN, values: ['kube-system'] }] }),
    egressDefault: PolicyDefault.DENY,
  });
  expect(synthValid(app).diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([
    "test/Everything/Resource: cilium/default-deny-reaches-kube-system: CiliumClusterwideNetworkPolicy 'everything' at spec.endpointSelector: switches pods of every namespace, kube-system included (CoreDNS, node-local-dns, cilium-operator), to egress default-deny; unless that is intended, exclude kube-system with the endpointSelector expression 'k8s:io.kubernetes.pod.namespace NotIn (kube-system)'.",
  ]);
});

test('metadata labels and annotations reach the clusterwide policy; policy.metadata is the object metadata', () => {
  const { app, chart } = cilium();
  const policy = new CiliumClusterwideNetworkPolicy(chart, 'GeoBlock', { egressDefault: PolicyDefault.ALLOW, metadata: { labels: { team: 'net' }, annotations: { 'argocd.argoproj.io/sync-wave': '-2' } } });
  policy.denyEgress({ to: [Peer.cidrGroup('geo-blocked')] });
  policy.metadata.addAnnotation('example.com/owner', 'net-team');
  expect(findOne(synthValid(app).objects, 'CiliumClusterwideNetworkPolicy').metadata).toEqual({
    name: 'geo-block',
    labels: { team: 'net' },
    annotations: { 'argocd.argoproj.io/sync-wave': '-2', 'example.com/owner': 'net-team' },
  });
});

test('a metadata refusal names the clusterwide policy by name', () => {
  expect(() => new CiliumClusterwideNetworkPolicy(cilium().chart, 'GeoBlock', { metadata: { annotations: { 'netsec.io/suppress': 'x' } } })).toThrow(
    "CiliumClusterwideNetworkPolicy 'geo-block': metadata.annotations key 'netsec.io/suppress' is netsec's own: netsec validate reads lint suppressions from it; suppress findings with suppressRules(construct, [{ id, reason }]) (or 'suppress:' in netsec.yaml) instead.",
  );
});
