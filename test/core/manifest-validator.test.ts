import { describe, expect, test } from 'vitest';
import { ManifestValidator, Target, formatFinding } from '../../src/index.js';

const cilium117 = new Target({ name: 'c117', kubernetes: '1.30', cilium: '1.17' });
const cilium118 = new Target({ name: 'c118', kubernetes: '1.30', cilium: '1.18' });
const calico328 = new Target({ name: 'k328', calico: '3.28' });

function messages(target: Target, obj: Record<string, unknown>): string[] {
  return new ManifestValidator(target).validate(obj).map(formatFinding);
}

const ccnp = (spec: Record<string, unknown>) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name: 'block' },
  spec,
});

describe('schema validation against the target line', () => {
  test('a valid CCNP passes', () => {
    expect(messages(cilium117, ccnp({ endpointSelector: {}, egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'geo' }] }], enableDefaultDeny: { egress: false } }))).toEqual([]);
  });

  test('an unknown field is rejected with the object, the path and the known fields', () => {
    const [msg] = messages(cilium117, ccnp({ endpointSelector: {}, egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'geo', cidrGroupRefs: 'x' }] }] }));
    expect(msg).toBe(
      "CiliumClusterwideNetworkPolicy 'block' at spec.egressDeny[0].toCIDRSet[0].cidrGroupRefs: unknown field 'cidrGroupRefs' (the API server would prune it); expected one of: cidr, cidrGroupRef, cidrGroupSelector, except",
    );
  });

  test('a field that only exists in a newer line is unknown in the older one', () => {
    // cidrGroupSelector arrived in Cilium 1.17.
    const obj = ccnp({ endpointSelector: {}, egressDeny: [{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { a: 'b' } } }] }] });
    expect(messages(cilium117, obj)).toEqual([]);
    expect(messages(new Target({ name: 'c116', cilium: '1.16' }), obj)).toEqual([
      "CiliumClusterwideNetworkPolicy 'block' at spec.egressDeny[0].toCIDRSet[0]: expected exactly one of the fields: cidr, cidrGroupRef",
      "CiliumClusterwideNetworkPolicy 'block' at spec.egressDeny[0].toCIDRSet[0].cidrGroupSelector: unknown field 'cidrGroupSelector' (the API server would prune it); expected one of: cidr, cidrGroupRef, except",
    ]);
  });

  test('a wrong type is rejected with the expected type and the value found', () => {
    expect(messages(cilium117, ccnp({ endpointSelector: {}, egress: [{}], enableDefaultDeny: { egress: 'no' } }))).toEqual([
      `CiliumClusterwideNetworkPolicy 'block' at spec.enableDefaultDeny.egress: expected boolean (got "no")`,
    ]);
  });

  test('a wrong apiVersion for the target line is rejected with what the line serves', () => {
    const ccg = { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'geo' }, spec: { externalCIDRs: ['192.0.2.0/24'] } };
    expect(messages(cilium117, ccg)).toEqual([
      "CiliumCIDRGroup 'geo' at apiVersion: 'cilium.io/v2' CiliumCIDRGroup is not served by Cilium 1.17 (schemas: crds/cilium/1.17); served: cilium.io/v2alpha1",
    ]);
    expect(messages(cilium118, ccg)).toEqual([]);
  });

  test('a kind the line does not have is rejected', () => {
    const tier = { apiVersion: 'crd.projectcalico.org/v1', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } };
    expect(messages(calico328, tier)).toEqual([
      "Tier 'security' at apiVersion: 'crd.projectcalico.org/v1' Tier is not served by Calico 3.28 (schemas: crds/calico/v3.28.5); Calico 3.28 has no Tier CRD",
    ]);
  });

  test('a CNP spec with no rule section is rejected with the fields it needs', () => {
    expect(messages(cilium117, ccnp({ endpointSelector: {} }))).toEqual([
      "CiliumClusterwideNetworkPolicy 'block' at spec: expected at least one of the fields: ingress, ingressDeny, egress, egressDeny",
    ]);
  });

  test('an object for a product the target does not run is rejected', () => {
    expect(messages(calico328, ccnp({ endpointSelector: {} }))).toEqual([
      "CiliumClusterwideNetworkPolicy 'block': cilium.io/v2 CiliumClusterwideNetworkPolicy is a Cilium object, but target 'k328' names no Cilium version, so netsec cannot pick its schema; name one (cilium: on the target in netsec.yaml, --cilium LINE for netsec validate)",
    ]);
  });

  test('format cidr is checked from Cilium 1.18 on', () => {
    const ccg = { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'geo' }, spec: { externalCIDRs: ['192.0.2.0/33'] } };
    expect(messages(cilium118, ccg)).toEqual([`CiliumCIDRGroup 'geo' at spec.externalCIDRs[0]: expected format 'cidr' (got "192.0.2.0/33")`]);
  });

  test('a namespaced kind without a namespace and a cluster-scoped kind with one are rejected', () => {
    const cnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {}, egress: [{}] } };
    expect(messages(cilium117, cnp)).toEqual(["CiliumNetworkPolicy 'p' at metadata.namespace: CiliumNetworkPolicy is namespaced; expected a namespace"]);
    const scoped = { ...ccnp({ endpointSelector: {}, egress: [{}] }), metadata: { name: 'block', namespace: 'default' } };
    expect(messages(cilium117, scoped)).toEqual([
      "CiliumClusterwideNetworkPolicy 'default/block' at metadata.namespace: CiliumClusterwideNetworkPolicy is cluster-scoped; expected no namespace (got 'default')",
    ]);
  });

  test('core kinds are validated with the kubernetes-models schemas', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns-upstream', namespace: 'kube-system' }, spec: { ports: [{ port: 'fifty-three' }] } };
    expect(messages(cilium117, svc)).toEqual([`Service 'kube-system/kube-dns-upstream' at spec.ports[0].port: expected integer (got "fifty-three")`]);
  });

  test('the bundled core-kind validators give what the kubernetes-models classes give, for every bundled kind', async () => {
    const { createRequire } = await import('node:module');
    const requireCjs = createRequire(import.meta.url);
    const bundled = requireCjs('../../schemas/kubernetes/core-kinds.validate.cjs') as { kinds: Record<string, { validate: { (o: unknown): boolean; errors?: unknown[] } }> };
    // Each kind with a wrong type, a bad format (quantity, int32, byte) and a missing required field where it has them.
    const bad = (apiVersion: string, kind: string) => ({
      apiVersion, kind, metadata: { name: 'x', namespace: 'n', labels: { a: 1 } }, data: { a: 1 }, binaryData: { b: 'not base64!' }, rules: [{ verbs: 'get' }],
      spec: { ports: [{ port: 2 ** 40 }], template: { spec: { containers: [{ resources: { requests: { cpu: 'lots' } } }] } }, podSelector: 7 },
      value: 'high', subjects: [{}], roleRef: {},
    });
    const keywords = new Set<string>();
    for (const [key, { validate }] of Object.entries(bundled.kinds)) {
      const [apiVersion, kind] = key.split(' ') as [string, string];
      const model = requireCjs(`kubernetes-models/${apiVersion}/${kind}`)[kind] as new (d: unknown) => { validate(): void };
      let expected: unknown[] = [];
      try {
        new model(bad(apiVersion, kind)).validate();
      } catch (err) {
        expected = (err as { errors: { instancePath: string; keyword: string; params: unknown }[] }).errors.map(({ instancePath, keyword, params }) => ({ instancePath, keyword, params }));
      }
      expect(expected.length, key).toBeGreaterThan(0);
      for (const e of expected as { keyword: string; params: { format?: string } }[]) keywords.add(e.params.format ? `format ${e.params.format}` : e.keyword);
      validate(bad(apiVersion, kind));
      expect((validate.errors ?? []).map((e) => { const { instancePath, keyword, params } = e as { instancePath: string; keyword: string; params: unknown }; return { instancePath, keyword, params }; }), key).toEqual(expected);
    }
    // The formats the bundle replaces (scripts/core-kind-formats.cjs) were exercised, not only the types.
    expect([...keywords].sort()).toEqual(expect.arrayContaining(['format byte', 'format int32', 'format quantity', 'required', 'type']));
  });

  test('a Service name must be a DNS-1035 label', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1dns', namespace: 'kube-system' }, spec: {} };
    expect(messages(cilium117, svc)).toEqual(["Service 'kube-system/1dns' at metadata.name: '1dns' is not a DNS-1035 label (at most 63 characters)"]);
  });
});
