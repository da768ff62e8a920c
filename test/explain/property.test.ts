import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { KubeObject } from '../../src/explain/index.js';
import { cluster, flow, judge, pod } from './helpers.js';

// Monotonicity of Cilium's single tier (domain-notes §D.2 item 4): adding an allow rule never turns a FORWARDED flow
// into DROPPED, and adding a deny rule never turns a DROPPED flow into FORWARDED.

const pods = [
  pod('default/a', { app: 'a', tier: 'web' }), pod('default/b', { app: 'b', tier: 'db' }),
  pod('other/c', { app: 'c', tier: 'web' }), pod('other/d', { app: 'd' }),
];
const c = cluster(pods, { apiServer: ['20.0.0.1'] });
const ids = pods.map((p) => `${p.namespace}/${p.name}`);
const outside = ['8.8.8.8', '1.1.1.1', '20.0.0.1', '192.168.0.5', '198.51.100.9'];

const selector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.oneof(fc.record({ app: fc.constantFrom('a', 'b', 'c', 'd') }), fc.record({ tier: fc.constantFrom('web', 'db') })) }),
  fc.constant({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }),
);
const ports = fc.option(fc.array(fc.record({
  port: fc.constantFrom('0', '53', '80', '443', '8000'),
  endPort: fc.option(fc.constantFrom(90, 9000), { nil: undefined }),
  protocol: fc.constantFrom('TCP', 'UDP', 'ANY'),
}, { requiredKeys: ['port', 'protocol'] }), { minLength: 1, maxLength: 2 }).map((p) => [{ ports: p }]), { nil: undefined });
const peer = (dir: 'to' | 'from') => fc.oneof(
  fc.record({ [`${dir}Endpoints`]: fc.array(selector, { minLength: 1, maxLength: 2 }) }),
  fc.record({ [`${dir}Entities`]: fc.array(fc.constantFrom('world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'all'), { minLength: 1, maxLength: 2 }) }),
  fc.record({ [`${dir}CIDRSet`]: fc.array(fc.record({ cidr: fc.constantFrom('8.0.0.0/8', '0.0.0.0/0', '198.51.100.0/24'), except: fc.option(fc.constant(['8.8.0.0/16']), { nil: undefined }) }, { requiredKeys: ['cidr'] }), { minLength: 1, maxLength: 1 }) }),
  fc.constant({}),
);
const rule = (dir: 'to' | 'from') => fc.tuple(peer(dir), ports).map(([p, toPorts]) => (toPorts ? { ...p, toPorts } : p));
const direction = fc.constantFrom('ingress', 'egress') as fc.Arbitrary<'ingress' | 'egress'>;
const policy = (name: string, kind: 'allow' | 'deny') => fc.record({
  clusterwide: fc.boolean(),
  subject: selector,
  dir: direction,
  rules: fc.array(fc.constant(null), { minLength: 1, maxLength: 2 }),
  defaultDenyOff: fc.boolean(),
}).chain((p) => fc.array(rule(p.dir === 'egress' ? 'to' : 'from'), { minLength: 1, maxLength: 2 }).map((rules): KubeObject => ({
  apiVersion: 'cilium.io/v2',
  kind: p.clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
  metadata: p.clusterwide ? { name } : { name, namespace: 'default' },
  spec: {
    endpointSelector: p.subject,
    [kind === 'allow' ? p.dir : `${p.dir}Deny`]: rules,
    ...(p.defaultDenyOff ? { enableDefaultDeny: { [p.dir]: false } } : {}),
  },
})));
const flowArb = fc.record({
  from: fc.oneof(fc.constantFrom(...ids), fc.constantFrom(...outside).map((ip) => ({ ip }))),
  to: fc.oneof(fc.constantFrom(...ids), fc.constantFrom(...outside)),
  port: fc.constantFrom(53, 80, 443, 8080),
  protocol: fc.constantFrom('TCP', 'UDP') as fc.Arbitrary<'TCP' | 'UDP'>,
}).filter((f) => typeof f.from === 'string' || ids.includes(f.to as string));
const toFlow = (f: { from: string | { ip: string }; to: string; port: number; protocol: 'TCP' | 'UDP' }) => {
  const base = flow(typeof f.from === 'string' ? f.from : 'default/a', f.to, f.port, { protocol: f.protocol });
  return typeof f.from === 'string' ? base : { ...base, from: f.from };
};

describe('Cilium monotonicity (property)', () => {
  test('adding an allow policy never turns FORWARDED into DROPPED', () => {
    fc.assert(fc.property(fc.array(policy('p', 'allow'), { maxLength: 2 }), fc.array(policy('q', 'deny'), { maxLength: 1 }), policy('added', 'allow'), flowArb, (allows, denies, added, f) => {
      const objs = [...allows.map((o, i) => ({ ...o, metadata: { ...o.metadata, name: `p${i}` } })), ...denies];
      // An added allow may switch its subjects to default-deny (that is Cilium); keep it from doing so here.
      const addedNoDefaultDeny = { ...added, spec: { ...added.spec, enableDefaultDeny: { ingress: false, egress: false } } };
      const before = judge(objs, c, toFlow(f)).verdict;
      const after = judge([...objs, addedNoDefaultDeny], c, toFlow(f)).verdict;
      return !(before === 'FORWARDED' && after === 'DROPPED');
    }), { numRuns: 300 });
  });

  test('adding a deny policy never turns DROPPED into FORWARDED', () => {
    fc.assert(fc.property(fc.array(policy('p', 'allow'), { maxLength: 2 }), fc.array(policy('q', 'deny'), { maxLength: 1 }), policy('added', 'deny'), flowArb, (allows, denies, added, f) => {
      const objs = [...allows.map((o, i) => ({ ...o, metadata: { ...o.metadata, name: `p${i}` } })), ...denies];
      const before = judge(objs, c, toFlow(f)).verdict;
      const after = judge([...objs, added], c, toFlow(f)).verdict;
      return !(before === 'DROPPED' && after === 'FORWARDED');
    }), { numRuns: 300 });
  });

  test('the properties can fail: an allow that enables default deny does drop a flow that was forwarded', () => {
    const allowOnly = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'default' }, spec: { endpointSelector: {}, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] } };
    expect(judge([], c, flow('default/a', '8.8.8.8', 80)).verdict).toBe('FORWARDED');
    expect(judge([allowOnly], c, flow('default/a', '8.8.8.8', 80)).verdict).toBe('DROPPED');
  });
});
