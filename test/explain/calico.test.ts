import { describe, expect, test } from 'vitest';
import { Flow } from '../../src/explain/index.js';
import { evaluate } from '../../src/explain/index.js';
import { cluster, objects, pod, short } from './helpers.js';

// Cases from Calico's docs (tier.mdx, tiered-policy.mdx, _rule.mdx, globalnetworkpolicy.mdx) and felix
// (rules/endpoints.go "End of tier ... Drop if no policies passed packet"; calc/policy_sorter.go); domain-notes §C.2.

const a = pod('default/a', { app: 'a', role: 'web' });
const b = pod('default/b', { app: 'b', role: 'db' }, { ports: [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }] });
const x = pod('other/x', { app: 'x' });
const c = cluster([a, b, x], { namespaces: [
  { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default', env: 'prod' } },
  { name: 'other', labels: { 'kubernetes.io/metadata.name': 'other', env: 'dev' } },
] });
const judge = (yaml: string, f: Flow) => evaluate({ objects: objects(yaml), cluster: c, versions: { kubernetes: '1.31', calico: '3.30' } }, f);
const to = (from: string, dst: string, port: number, protocol: Flow['protocol'] = 'TCP'): Flow => ({
  name: 'f', from: { pod: from }, to: /^\d/.test(dst) ? { ip: dst } : { pod: dst }, port, protocol,
});
const gnp = (name: string, spec: string) => `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: ${name} }
spec:
${spec}
---`;
const tier = (name: string, order: number, defaultAction = 'Deny') => `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: ${name} }
spec: { order: ${order}, defaultAction: ${defaultAction} }
---`;

describe('tiers, order and actions (Calico tiered-policy.mdx, tier.mdx)', () => {
  test('Pass skips the rest of the tier and its end-of-tier drop; the next tier decides', () => {
    const yaml = tier('security', 100) + gnp('security.pass-all', '  tier: security\n  order: 1\n  types: [Egress]\n  egress: [ { action: Pass } ]')
      + gnp('security.deny-all', '  tier: security\n  order: 2\n  types: [Egress]\n  egress: [ { action: Deny } ]')
      + gnp('allow-web', '  selector: "role == \'web\'"\n  types: [Egress]\n  egress: [ { action: Allow, destination: { ports: [443] }, protocol: TCP } ]');
    expect(short(judge(yaml, to('default/a', '8.8.8.8', 443)))).toBe('FORWARDED GlobalNetworkPolicy/allow-web');
    expect(short(judge(yaml, to('default/a', '8.8.8.8', 80)))).toBe('DROPPED POLICY_DENIED default');
  });

  test('a tier that selects the endpoint and decides nothing drops at its end (felix endpoints.go "End of tier")', () => {
    const yaml = tier('security', 100) + gnp('security.web-only', '  tier: security\n  selector: "app == \'a\'"\n  types: [Egress]\n  egress: [ { action: Allow, destination: { nets: [ 10.0.0.0/8 ] } } ]');
    const r = judge(yaml, to('default/a', '8.8.8.8', 443));
    expect(short(r)).toBe('DROPPED POLICY_DENIED default');
    expect(r.steps.at(-1)!.detail).toBe("egress of default/a to 8.8.8.8 on 443/TCP: selected by GlobalNetworkPolicy/security.web-only; no rule of tier 'security' decided, so the end of the tier drops it");
    expect(short(judge(yaml, to('default/b', '8.8.8.8', 443)))).toBe('FORWARDED default');
  });

  test("a tier with defaultAction: Pass passes what it did not decide (tier.mdx)", () => {
    const yaml = tier('security', 100, 'Pass') + gnp('security.web-only', '  tier: security\n  types: [Egress]\n  egress: [ { action: Deny, destination: { nets: [ 10.0.0.0/8 ] } } ]');
    expect(short(judge(yaml, to('default/a', '8.8.8.8', 443)))).toBe('FORWARDED default');
    expect(short(judge(yaml, to('default/a', '10.1.2.3', 443)))).toBe('DROPPED POLICY_DENY GlobalNetworkPolicy/security.web-only');
  });

  test('Log does not terminate: a Log-only policy drops at the end of its tier (domain-notes §0 finding 7, _rule.mdx)', () => {
    const r = judge(gnp('log-everything', '  order: 100000\n  types: [Egress]\n  egress: [ { action: Log } ]'), to('default/a', '8.8.8.8', 443));
    expect(short(r)).toBe('DROPPED POLICY_DENIED default');
    expect(r.steps.at(-1)!.detail).toContain('GlobalNetworkPolicy/log-everything spec.egress[0] logs it; ');
  });

  test('lower order first, equal orders by name, omitted order last (globalnetworkpolicy.mdx, policy_sorter.go)', () => {
    const yaml = gnp('b-allow', '  order: 10\n  types: [Egress]\n  egress: [ { action: Allow } ]') + gnp('a-deny', '  order: 10\n  types: [Egress]\n  egress: [ { action: Deny } ]')
      + gnp('first', '  types: [Egress]\n  egress: [ { action: Allow } ]');
    expect(short(judge(yaml, to('default/a', '8.8.8.8', 443)))).toBe('DROPPED POLICY_DENY GlobalNetworkPolicy/a-deny');
    const unordered = gnp('z-allow', '  types: [Egress]\n  egress: [ { action: Allow } ]') + gnp('deny-later', '  order: 5000\n  types: [Egress]\n  egress: [ { action: Deny } ]');
    expect(short(judge(unordered, to('default/a', '8.8.8.8', 443)))).toBe('DROPPED POLICY_DENY GlobalNetworkPolicy/deny-later');
  });

  test('types defaults to [Ingress] without egress rules, even with no rules at all (domain-notes §0 finding 10)', () => {
    const yaml = gnp('meant-as-egress-deny', '  selector: all()');
    expect(short(judge(yaml, to('default/a', '8.8.8.8', 443)))).toBe('FORWARDED default');
    expect(short(judge(yaml, to('default/a', 'default/b', 5432)))).toBe('DROPPED POLICY_DENIED default');
  });
});

describe('Kubernetes NetworkPolicy on Calico: default tier, order 1000 (conversion.go; domain-notes §0 finding 8)', () => {
  const knp = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: default }
spec:
  podSelector: { matchLabels: { role: db } }
  ingress: [ { from: [ { podSelector: { matchLabels: { role: web } } } ], ports: [ { port: pg } ] } ]
---`;
  test('a KNP isolates its pods through the default tier end-of-tier drop', () => {
    expect(short(judge(knp, to('default/a', 'default/b', 5432)))).toBe('FORWARDED NetworkPolicy/default/db');
    expect(short(judge(knp, to('other/x', 'default/b', 5432)))).toBe('DROPPED POLICY_DENIED default');
  });

  test('a catch-all Allow at a lower order in the default tier overrides the KNP isolation', () => {
    const yaml = knp + gnp('allow-rest', '  order: 500\n  types: [Ingress]\n  ingress: [ { action: Allow } ]');
    expect(short(judge(yaml, to('other/x', 'default/b', 5432)))).toBe('FORWARDED GlobalNetworkPolicy/allow-rest');
  });
});

describe('rule matching (_rule.mdx, _entityrule.mdx, _selectors.mdx)', () => {
  const gns = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: blocked, labels: { list: geo } }
spec: { nets: [ 198.51.100.0/24 ] }
---`;
  test('a destination selector matches a GlobalNetworkSet holding the address; notNets cuts it', () => {
    const yaml = gns + gnp('block', "  types: [Egress]\n  egress: [ { action: Deny, destination: { selector: \"list == 'geo'\", notNets: [ 198.51.100.128/25 ] } }, { action: Allow } ]");
    expect(short(judge(yaml, to('default/a', '198.51.100.1', 443)))).toBe('DROPPED POLICY_DENY GlobalNetworkPolicy/block');
    expect(short(judge(yaml, to('default/a', '198.51.100.200', 443)))).toBe('FORWARDED GlobalNetworkPolicy/block');
  });

  test('a namespaced NetworkPolicy cannot see GlobalNetworkSets without namespaceSelector: global()', () => {
    const np = (nsSel: string) => gns + `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: block, namespace: default }
spec:
  types: [Egress]
  egress: [ { action: Deny, destination: { selector: "list == 'geo'"${nsSel} } }, { action: Allow } ]
`;
    expect(short(judge(np(''), to('default/a', '198.51.100.1', 443)))).toBe('FORWARDED NetworkPolicy/default/block');
    expect(short(judge(np(', namespaceSelector: global()'), to('default/a', '198.51.100.1', 443)))).toBe('DROPPED POLICY_DENY NetworkPolicy/default/block');
  });

  test('selectors: has(), in, !, &&, || and namespaceSelector over namespace labels', () => {
    const yaml = gnp('sel', "  selector: has(app)\n  types: [Ingress]\n  ingress:\n    - action: Allow\n      source: { selector: \"app in {'a', 'x'} && !(role == 'db')\", namespaceSelector: \"env == 'prod' || env == 'staging'\" }");
    expect(short(judge(yaml, to('default/a', 'default/b', 5432)))).toBe('FORWARDED GlobalNetworkPolicy/sel');
    expect(short(judge(yaml, to('other/x', 'default/b', 5432)))).toBe('DROPPED POLICY_DENIED default');
  });

  test('protocol, port ranges, named ports and notPorts; numeric protocol 17 is UDP', () => {
    const yaml = gnp('ports', "  types: [Egress]\n  egress:\n    - { action: Allow, protocol: TCP, destination: { ports: ['8000:8080', pg], notPorts: [8008] } }\n    - { action: Allow, protocol: 17, destination: { ports: [53] } }");
    expect(judge(yaml, to('default/a', '8.8.8.8', 8001)).verdict).toBe('FORWARDED');
    expect(judge(yaml, to('default/a', '8.8.8.8', 8008)).verdict).toBe('DROPPED');
    expect(judge(yaml, to('default/a', 'default/b', 5432)).verdict).toBe('FORWARDED');
    expect(judge(yaml, to('default/a', '8.8.8.8', 5432)).verdict).toBe('DROPPED');
    expect(judge(yaml, to('default/a', '8.8.8.8', 53, 'UDP')).verdict).toBe('FORWARDED');
    expect(judge(yaml, to('default/a', '8.8.8.8', 53, 'TCP')).verdict).toBe('DROPPED');
  });

  test('a pod-to-pod flow needs the sender egress and the receiver ingress', () => {
    const yaml = gnp('egress-ok', '  types: [Egress]\n  egress: [ { action: Allow } ]') + gnp('db-ingress', "  selector: \"role == 'db'\"\n  types: [Ingress]\n  ingress: [ { action: Deny } ]");
    const r = judge(yaml, to('default/a', 'default/b', 5432));
    expect(short(r)).toBe('DROPPED POLICY_DENY GlobalNetworkPolicy/db-ingress');
    expect(r.steps.map((s) => `${s.layer} ${s.outcome}`)).toEqual(['calico-egress allow', 'calico-ingress deny']);
  });
});
