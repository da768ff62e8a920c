import { expect, test } from 'vitest';
import { EndpointSelector, Entity, LabelOperator, Peer, PeerKind } from '../../src/index.js';

test('every pod peer names its namespace scope in the rendered selector', () => {
  expect(Peer.podsInNamespace('kube-system', { 'k8s:k8s-app': 'kube-dns' })._toKube()).toEqual({
    matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' },
  });
  expect(Peer.podsInPolicyNamespace({ app: 'reviews' })._toKube()).toEqual({ matchLabels: { app: 'reviews' } });
  expect(Peer.podsInAllNamespaces({ app: 'prometheus' })._toKube()).toEqual({
    matchLabels: { app: 'prometheus' },
    matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }],
  });
  expect(Peer.podsInNamespacesLabeled({ team: 'payments' }, { app: 'api' })._toKube()).toEqual({
    matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'payments', app: 'api' },
  });
});

test('a policy-namespace peer matches only pods of the policy namespace; a named one only its namespace', () => {
  const dns = { 'k8s-app': 'kube-dns' };
  expect(Peer.podsInPolicyNamespace(dns).selectsPod('kube-system', dns, 'default')).toBe(false);
  expect(Peer.podsInPolicyNamespace(dns).selectsPod('kube-system', dns, 'kube-system')).toBe(true);
  expect(Peer.podsInNamespace('kube-system', dns).selectsPod('kube-system', dns, 'default')).toBe(true);
  expect(Peer.podsInNamespace('kube-system', dns).selectsPod('default', dns, 'default')).toBe(false);
  expect(Peer.podsInAllNamespaces(EndpointSelector.of({ expressions: [{ key: 'k8s-app', operator: LabelOperator.EXISTS }] })).selectsPod('kube-system', dns, undefined)).toBe(true);
  expect(Peer.entity(Entity.CLUSTER).selectsPod('kube-system', dns, 'default')).toBe(true);
  expect(Peer.entity(Entity.WORLD).selectsPod('kube-system', dns, 'default')).toBe(false);
  expect(Peer.podsInNamespacesLabeled({ 'kubernetes.io/metadata.name': 'kube-system' }, dns).selectsPod('kube-system', dns, 'default')).toBe(true);
});

test('CIDR, group, entity and FQDN peers', () => {
  expect(Peer.cidr('10.0.0.0/8', ['10.96.0.0/12'])._toKube()).toEqual({ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] });
  expect(Peer.cidrGroup('geo-blocked')._toKube()).toEqual({ cidrGroupRef: 'geo-blocked' });
  expect(Peer.cidrGroup('geo-blocked').cidrGroupRef).toBe('geo-blocked');
  expect(Peer.entity(Entity.KUBE_APISERVER)._toKube()).toBe('kube-apiserver');
  expect(Peer.fqdnPattern('*.example.com')._toKube()).toEqual({ matchPattern: '*.example.com' });
  expect(Peer.fqdn('api.example.com').kind).toBe(PeerKind.FQDNS);
});

test.each([
  [() => Peer.podsInNamespace('Kube_System'), "Peer.podsInNamespace('Kube_System', {}): 'Kube_System' is not a namespace name (a DNS-1123 label)."],
  [() => Peer.podsInPolicyNamespace({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' }), "Peer.podsInPolicyNamespace({k8s:io.kubernetes.pod.namespace=kube-system, k8s-app=kube-dns}): give the namespace as namespace: NAME (Peer.podsInNamespace(...)) for one namespace or allNamespaces: true (Peer.podsInAllNamespaces(...)) for all, not as the 'io.kubernetes.pod.namespace' label."],
  [() => Peer.podsInNamespacesLabeled({}), 'Peer.podsInNamespacesLabeled({}, {}): give at least one namespace label; for every namespace use allNamespaces: true (Peer.podsInAllNamespaces()).'],
  [() => Peer.entity('world-ipv4' as Entity), "cilium/unknown-entity: Peer.entity('world-ipv4'): 'world-ipv4' is not a Cilium entity (it exists inside Cilium, but the API server refuses it; use world, or toCIDR 0.0.0.0/0 or ::/0); expected one of all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver."],
  [() => Peer.cidr('10.0.0.0/8', ['192.168.0.0/16']), 'cilium/cidr-rule-shape: Peer.cidr(\'10.0.0.0/8\', ["192.168.0.0/16"]) at except[0]: \'192.168.0.0/16\' is not inside cidr \'10.0.0.0/8\'; an except prefix must be part of the cidr, in the same family (Cilium\'s agent: "allow CIDR prefix 10.0.0.0/8 does not contain exclude CIDR prefix 192.168.0.0/16"). Remove it, or fix the cidr.'],
  [() => Peer.cidr('10.0.0.0/24', ['10.0.0.0/16']), 'cilium/cidr-rule-shape: Peer.cidr(\'10.0.0.0/24\', ["10.0.0.0/16"]) at except[0]: \'10.0.0.0/16\' is wider than cidr \'10.0.0.0/24\', so it removes the whole cidr and the rule matches nothing (Cilium 1.20 refuses it: "allow CIDR prefix 10.0.0.0/24 does not contain exclude CIDR prefix 10.0.0.0/16"). Except only parts of the cidr.'],
  [() => Peer.cidr('10.0.0.1/8'), /^Peer\.cidr\('10\.0\.0\.1\/8'\): .*host bits/],
  [() => Peer.cidrGroup('Geo_Blocked'), "cilium/cidr-rule-shape: Peer.cidrGroup('Geo_Blocked') at cidrGroupRef: 'Geo_Blocked' is not a CiliumCIDRGroup name; expected a DNS-1123 subdomain of at most 253 characters (lower-case letters, digits, '-' and '.')."],
])('bad peer %#', (fn, message) => {
  expect(fn).toThrow(message);
});
