import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ManifestValidator, Target } from '../../src/index.js';

// The bundled example (netsec.yaml -> dist/, kept fresh by test/example.test.ts) writes the AKS Istio add-on's policies:
// STRICT mTLS mesh-wide, allow-nothing mesh-wide and GET allowed to app: sample in foo.
const text = readFileSync(new URL('../../dist/aks-cilium/istio.yaml', import.meta.url), 'utf8');
const objects = parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

test("dist/aks-cilium/istio.yaml holds allow-nothing and strict-mtls (mesh-wide, in aks-istio-system) and allow-get-requests (foo)", () => {
  expect(byName('AuthorizationPolicy', 'allow-nothing')).toEqual({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-nothing', namespace: 'aks-istio-system' }, spec: {} });
  expect(byName('AuthorizationPolicy', 'allow-get-requests')).toEqual({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'allow-get-requests', namespace: 'foo' },
    spec: { selector: { matchLabels: { app: 'sample' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] },
  });
  expect(byName('PeerAuthentication', 'strict-mtls')).toEqual({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'strict-mtls', namespace: 'aks-istio-system' }, spec: { mtls: { mode: 'STRICT' } } });
});

test("valid against the Istio CRDs of the target's line, and the header says what the policies imply", () => {
  const validator = new ManifestValidator(new Target({ name: 'aks-cilium', kubernetes: '1.30', cilium: '1.17', istio: '1.23' }));
  expect(objects.flatMap((o) => validator.validate(o, { applyToCluster: true })).map((f) => f.message)).toEqual([]);
  expect(text).toContain("# WARNING: istio/allow-policy-implies-deny: AuthorizationPolicy 'foo/allow-get-requests' at spec: is an ALLOW policy: once it exists, a request to the workloads labelled app: sample in namespace 'foo' that no ALLOW policy matches is denied with 403");
  expect(text).toContain("# Note: istio/allow-nothing-scope suppressed (deny by default across the mesh; each workload gets explicit ALLOW policies): AuthorizationPolicy 'aks-istio-system/allow-nothing' at spec:");
});
