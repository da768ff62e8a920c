import { describe, expect, test } from 'vitest';
import { Manifest, ManifestIndex, Target, lint } from '../../src/index.js';

/** Lints hand-written objects (as `netsec validate` does) and returns `[ruleId, severity, path, message]` rows of the Istio rules. */
function findings(objects: Record<string, unknown>[]) {
  const manifests: Manifest[] = objects.map((object, i) => ({ object, applied: true, location: { file: 'in.yaml', line: i * 10 + 1, column: 1 } }));
  return lint(new ManifestIndex(new Target({ name: 't', kubernetes: '1.30', istio: '1.26' }), manifests))
    .findings.filter((f) => f.ruleId.startsWith('istio/'))
    .map((f) => [f.ruleId, f.severity, f.path, f.message]);
}

const ap = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec });
const pa = (namespace: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace }, spec });
const svc = (namespace: string, name: string, selector: Record<string, string>, ports: Record<string, unknown>[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, ports } });

describe('istio/http-fields-on-tcp', () => {
  test('a DENY rule with only HTTP attributes and no ports: the istiod warning, explained', () => {
    expect(findings([ap('shop', 'deny-post', { selector: { matchLabels: { app: 'api' } }, action: 'DENY', rules: [{ to: [{ operation: { notMethods: ['GET'] } }], from: [{ source: { notRequestPrincipals: ['*'] } }] }] })])).toEqual([
      ['istio/http-fields-on-tcp', 'warning', 'spec.rules[0]', "AuthorizationPolicy 'shop/deny-post' at spec.rules[0]: uses only HTTP attributes to decide (notMethods, notRequestPrincipals) and names no ports: on TCP ports in its scope these cannot be read, so the rule denies all TCP traffic there (istiod warns the same). Add to.operation.ports with the HTTP ports it is meant for."],
    ]);
  });
  test('a DENY rule scoped to ports, or with a destination.port condition, or without HTTP attributes, is fine', () => {
    expect(findings([
      ap('shop', 'a', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'], ports: ['8080'] } }] }] }),
      ap('shop', 'b', { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }], when: [{ key: 'destination.port', values: ['8080'] }] }] }),
      ap('shop', 'c', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }] }),
    ])).toEqual([]);
  });
  test("an ALLOW rule with HTTP attributes on a Service port Istio treats as TCP (name, appProtocol); http-named ports and other apps' Services are fine", () => {
    const policy = ap('shop', 'allow-get', { selector: { matchLabels: { app: 'api' } }, rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    expect(findings([
      policy,
      svc('shop', 'api', { app: 'api' }, [{ name: 'web', port: 80, targetPort: 8080 }, { name: 'http-alt', port: 8081 }, { port: 9000, appProtocol: 'http' }]),
      svc('shop', 'db', { app: 'db' }, [{ name: 'tcp', port: 5432 }]),
      svc('other', 'api', { app: 'api' }, [{ name: 'tcp', port: 5432 }]),
    ]).filter((f) => f[0] === 'istio/http-fields-on-tcp')).toEqual([
      ['istio/http-fields-on-tcp', 'warning', 'spec.rules[0]', "AuthorizationPolicy 'shop/allow-get' at spec.rules[0]: allows by HTTP attributes (methods), but Service 'shop/api' port 80 (name 'web') is TCP to Istio (the port name does not start with http, http2 or grpc and no appProtocol says so): there the rule never matches and the traffic is denied. Name the port http-<suffix> or set appProtocol: http, or allow that port by ports alone."],
    ]);
  });
  // istio.io docs/tasks/security/authorization/authz-tcp with samples/tcp-echo (ports tcp 9000, tcp-other 9001): a DENY
  // of methods GET on port 9000 rejects every connection to 9000, and 9001 still works. authz-deny with
  // samples/httpbin (one http port): the DENY of GET reads HTTP, and nothing is denied wholesale.
  test('with the Services known, a DENY is judged on the TCP ports it reaches, named or not, and not at all when every port is HTTP', () => {
    const tcpEcho = svc('foo', 'tcp-echo', { app: 'tcp-echo' }, [{ name: 'tcp', port: 9000 }, { name: 'tcp-other', port: 9001 }]);
    const denyGet9000 = ap('foo', 'tcp-policy', { selector: { matchLabels: { app: 'tcp-echo' } }, action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] }] });
    expect(findings([denyGet9000, tcpEcho]).filter((f) => f[0] === 'istio/http-fields-on-tcp')).toEqual([
      ['istio/http-fields-on-tcp', 'warning', 'spec.rules[0]', "AuthorizationPolicy 'foo/tcp-policy' at spec.rules[0]: decides on HTTP attributes (methods), but Service 'foo/tcp-echo' port 9000 (name 'tcp') is TCP to Istio: there they cannot be read, so the rule denies all traffic on that port (istio.io authz-tcp task). Scope the rule to the HTTP ports with to.operation.ports, or name the port http-<suffix> if it speaks HTTP."],
    ]);
    const httpbin = svc('foo', 'httpbin', { app: 'httpbin' }, [{ name: 'http', port: 8000, targetPort: 8080 }]);
    const denyGet = ap('foo', 'deny-method-get', { selector: { matchLabels: { app: 'httpbin' } }, action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'] } }], when: [{ key: 'request.headers[x-token]', notValues: ['admin'] }] }] });
    expect(findings([denyGet, httpbin]).filter((f) => f[0] === 'istio/http-fields-on-tcp')).toEqual([]);
  });
});

describe('istio/allow-nothing-scope', () => {
  test('spec: {} in a namespace is a warning; in a root namespace named by an IstioOperator it is an error', () => {
    expect(findings([
      ap('foo', 'allow-nothing', {}),
      ap('mesh-root', 'allow-nothing', {}),
      { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name: 'x', namespace: 'istio-system' }, spec: { meshConfig: { rootNamespace: 'mesh-root' } } },
    ]).filter((f) => f[0] === 'istio/allow-nothing-scope')).toEqual([
      ['istio/allow-nothing-scope', 'warning', 'spec', "AuthorizationPolicy 'foo/allow-nothing' at spec: is an ALLOW policy without rules (allow-nothing): every request to every workload in namespace 'foo' is denied with 403 unless another ALLOW policy matches it. If that deny-by-default is intended, add ALLOW policies for every caller that must keep working."],
      ['istio/allow-nothing-scope', 'error', 'spec', "AuthorizationPolicy 'mesh-root/allow-nothing' at spec: is an ALLOW policy without rules (allow-nothing) in Istio's root namespace 'mesh-root': every request to every workload in the mesh is denied with 403 unless another ALLOW policy matches it. If a mesh-wide deny-by-default is intended, suppress istio/allow-nothing-scope with that reason; otherwise add rules or move the policy to the namespace it is for."],
    ]);
  });
  test('with a selector in the AKS root namespace: those workloads in every namespace; rules: [] is allow-nothing too', () => {
    expect(findings([ap('aks-istio-system', 'lock', { selector: { matchLabels: { app: 'db' } }, action: 'ALLOW', rules: [] })])).toEqual([
      ['istio/allow-nothing-scope', 'error', 'spec', "AuthorizationPolicy 'aks-istio-system/lock' at spec: is an ALLOW policy without rules (allow-nothing) in Istio's root namespace 'aks-istio-system': every request to every workload labelled app: db in every namespace of the mesh is denied with 403 unless another ALLOW policy matches it. If a mesh-wide deny-by-default is intended, suppress istio/allow-nothing-scope with that reason; otherwise add rules or move the policy to the namespace it is for."],
    ]);
  });
});

describe('istio/allow-policy-implies-deny', () => {
  test('an ALLOW policy with rules (and only that: DENY and AUDIT do not imply a deny)', () => {
    expect(findings([
      ap('foo', 'allow-ns', { rules: [{ from: [{ source: { namespaces: ['bar'] } }] }] }),
      ap('foo', 'deny-ns', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['baz'] } }] }] }),
      ap('foo', 'audit', { action: 'AUDIT', rules: [{}] }),
      // istio.io's allow-all: a rule that sets nothing matches every request, so nothing is denied.
      ap('foo', 'allow-all', { action: 'ALLOW', rules: [{}] }),
    ]).filter((f) => f[0] === 'istio/allow-policy-implies-deny')).toEqual([
      ['istio/allow-policy-implies-deny', 'warning', 'spec', "AuthorizationPolicy 'foo/allow-ns' at spec: is an ALLOW policy: once it exists, a request to every workload in namespace 'foo' that no ALLOW policy matches is denied with 403 (Istio checks CUSTOM, then DENY, then ALLOW policies; no ALLOW match means deny). Make sure every caller those workloads must keep serving is allowed, health checks and other namespaces included."],
    ]);
  });
});

describe('istio/audit-needs-provider', () => {
  test('an AUDIT policy is a note that it records nothing by itself; ALLOW and DENY policies are not', () => {
    expect(findings([
      ap('foo', 'audit-admin', { action: 'AUDIT', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }),
      ap('foo', 'deny', { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }),
    ]).filter((f) => f[0] === 'istio/audit-needs-provider')).toEqual([
      ['istio/audit-needs-provider', 'info', 'spec.action', "AuthorizationPolicy 'foo/audit-admin' at spec.action: is AUDIT: matching requests are only marked for audit, neither allowed nor denied, and nothing is recorded unless an audit plugin is configured in the mesh (Istio names Stackdriver as the only one). To log requests without one, use Istio access logging (Telemetry accessLogging); to block them, use DENY."],
    ]);
  });
});

describe('istio/authz-structural-errors on hand-written policies', () => {
  test('serviceAccounts with principals, targetRef with targetRefs, an unknown action', () => {
    expect(findings([
      ap('foo', 'sa', { rules: [{ from: [{ source: { serviceAccounts: ['foo/web'], principals: ['cluster.local/ns/foo/sa/web'] } }] }] }),
      ap('foo', 'refs', { targetRef: { kind: 'Gateway', name: 'a' }, targetRefs: [{ kind: 'Gateway', name: 'b' }], action: 'DENY', rules: [{}] }),
      ap('foo', 'act', { action: 'LOG', rules: [{}] }),
    ]).filter((f) => f[0] === 'istio/authz-structural-errors')).toEqual([
      ['istio/authz-structural-errors', 'error', 'spec.rules[0].from[0].source', "AuthorizationPolicy 'foo/sa' at spec.rules[0].from[0].source: serviceAccounts cannot be combined with principals or namespaces in one source; use one of them."],
      ['istio/authz-structural-errors', 'error', 'spec.targetRef', "AuthorizationPolicy 'foo/refs' at spec.targetRef: targetRef and targetRefs are both set; use targetRefs only."],
      ['istio/authz-structural-errors', 'error', 'spec.action', "AuthorizationPolicy 'foo/act' at spec.action: action \"LOG\" is not one of ALLOW, DENY, AUDIT, CUSTOM."],
    ]);
  });
});

describe('istio/authz-structural-errors per Istio line', () => {
  test("serviceAccounts on Istio 1.24, whose CRD would drop the field and widen the source; fine on 1.25", () => {
    const policy = ap('foo', 'sa', { rules: [{ from: [{ source: { serviceAccounts: ['foo/web'] } }] }] });
    const at = (istio: string) => lint(new ManifestIndex(new Target({ name: 't', istio }), [{ object: policy, applied: true }])).findings.filter((f) => f.ruleId === 'istio/authz-structural-errors').map((f) => f.message);
    expect(at('1.24')).toEqual([
      "AuthorizationPolicy 'foo/sa' at spec.rules[0].from[0].source.serviceAccounts: serviceAccounts exists only from Istio 1.25 (target 't' runs Istio 1.24); that line's CRD drops the field, so the source would match more than written. Use principals (cluster.local/ns/<namespace>/sa/<name>) instead.",
    ]);
    expect(at('1.25')).toEqual([]);
  });
});

describe('istio/peerauth-shape', () => {
  test('port-level modes without a selector, an empty map, a bad port, a selector in the root namespace, a second namespace-wide policy', () => {
    expect(findings([
      pa('shop', 'default', { mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'DISABLE' } } }),
      pa('shop', 'db', { selector: { matchLabels: { app: 'db' } }, portLevelMtls: {} }),
      pa('shop', 'web', { selector: { matchLabels: { app: 'web' } }, portLevelMtls: { '70000': { mode: 'DISABLE' } } }),
      pa('istio-system', 'web', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' } }),
      pa('shop', 'second', { mtls: { mode: 'PERMISSIVE' } }),
    ])).toEqual([
      ['istio/peerauth-shape', 'error', 'spec.portLevelMtls', "PeerAuthentication 'shop/default' at spec.portLevelMtls: port-level mTLS needs a workload selector; Istio refuses it on mesh-wide and namespace-wide PeerAuthentications. Add selector.matchLabels or remove portLevelMtls."],
      ['istio/peerauth-shape', 'error', 'spec.portLevelMtls', "PeerAuthentication 'shop/db' at spec.portLevelMtls: portLevelMtls is empty, which Istio refuses; remove it for one mode on every port, or name the ports."],
      ['istio/peerauth-shape', 'error', 'spec.portLevelMtls.70000', "PeerAuthentication 'shop/web' at spec.portLevelMtls.70000: port \"70000\" is not 1-65535; keys are the workload's container ports."],
      ['istio/peerauth-shape', 'error', 'spec.selector', "PeerAuthentication 'istio-system/web' at spec.selector: a PeerAuthentication with a selector in Istio's root namespace 'istio-system' is ignored; put it in the namespace of the workloads it selects."],
      ['istio/peerauth-shape', 'error', '', "PeerAuthentication 'shop/second': is a second namespace-wide PeerAuthentication in 'shop'; Istio honours only one and ignores the newer ones, and PeerAuthentication 'shop/default' is one already. Merge them into one."],
    ]);
  });
  test('seed 004: one mesh-wide STRICT in aks-istio-system is fine', () => {
    expect(findings([pa('aks-istio-system', 'strict-mtls', { mtls: { mode: 'STRICT' } })])).toEqual([]);
  });
});

describe('istio/sidecar-selectors-overlap (istioctl analyze IST0110, IST0111)', () => {
  const sidecar = (namespace: string, name: string, labels?: Record<string, string>) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace },
    spec: { ...(labels ? { workloadSelector: { labels } } : {}), outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*'] }] },
  });
  test('the same selector twice, a narrower one inside a wider one, and two without selectors are errors', () => {
    expect(findings([
      sidecar('shop', 'pay-a', { app: 'payments' }),
      sidecar('shop', 'pay-b', { app: 'payments' }),
      sidecar('shop', 'pay-canary', { app: 'payments', track: 'canary' }),
      sidecar('shop', 'all'),
      sidecar('shop', 'all-again'),
    ])).toEqual([
      ['istio/sidecar-selectors-overlap', 'error', 'spec.workloadSelector', "Sidecar 'shop/pay-b' at spec.workloadSelector: selects the same pods as Sidecar 'shop/pay-a' (app: payments); Istio applies one Sidecar per pod and which one is undefined (IST0110), so one of the two host lists silently does not apply. Merge them into one Sidecar (in netsec.yaml: one egressAllowances entry with both hosts)."],
      ['istio/sidecar-selectors-overlap', 'error', 'spec.workloadSelector', "Sidecar 'shop/pay-canary' at spec.workloadSelector: selects pods that Sidecar 'shop/pay-a' selects too (app: payments, track: canary and app: payments); Istio applies one Sidecar per pod and which one is undefined (IST0110), so one of the two host lists silently does not apply. Merge them into one Sidecar (in netsec.yaml: one egressAllowances entry with both hosts)."],
      ['istio/sidecar-selectors-overlap', 'error', 'spec.workloadSelector', "Sidecar 'shop/pay-canary' at spec.workloadSelector: selects pods that Sidecar 'shop/pay-b' selects too (app: payments, track: canary and app: payments); Istio applies one Sidecar per pod and which one is undefined (IST0110), so one of the two host lists silently does not apply. Merge them into one Sidecar (in netsec.yaml: one egressAllowances entry with both hosts)."],
      ['istio/sidecar-selectors-overlap', 'error', '', "Sidecar 'shop/all-again': is a second Sidecar without a workloadSelector in namespace 'shop', like Sidecar 'shop/all'; Istio's choice between them is undefined (IST0111). Merge them into one Sidecar."],
    ]);
  });
  test('selectors that only meet on pods carrying both label sets are a warning; disjoint ones, other namespaces and one without a selector are fine', () => {
    expect(findings([
      sidecar('shop', 'web', { app: 'web' }),
      sidecar('shop', 'frontend', { tier: 'frontend' }),
      sidecar('shop', 'api', { app: 'api' }),
      sidecar('shop', 'namespace-wide'),
      sidecar('bank', 'web', { app: 'web' }),
    ])).toEqual([
      ['istio/sidecar-selectors-overlap', 'warning', 'spec.workloadSelector', "Sidecar 'shop/frontend' at spec.workloadSelector: selects the pods that carry both tier: frontend and app: web together with Sidecar 'shop/web'; for such pods Istio's choice of Sidecar is undefined (IST0110). Make the selectors disjoint or merge the two Sidecars."],
      ['istio/sidecar-selectors-overlap', 'warning', 'spec.workloadSelector', "Sidecar 'shop/api' at spec.workloadSelector: selects the pods that carry both app: api and tier: frontend together with Sidecar 'shop/frontend'; for such pods Istio's choice of Sidecar is undefined (IST0110). Make the selectors disjoint or merge the two Sidecars."],
    ]);
  });
});

describe('cilium/l7-with-istio-mtls on hand-written manifests', () => {
  test('a CNP with HTTP rules under a STRICT namespace policy; suppressed by DISABLE on the workload', () => {
    const cnp = (name: string, app: string) => ({
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app } }, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] },
    });
    const manifests: Manifest[] = [
      pa('shop', 'default', { mtls: { mode: 'STRICT' } }),
      pa('shop', 'plain', { selector: { matchLabels: { app: 'legacy' } }, mtls: { mode: 'DISABLE' } }),
      cnp('web', 'web'),
      cnp('legacy', 'legacy'),
    ].map((object) => ({ object, applied: true }));
    expect(lint(new ManifestIndex(new Target({ name: 't', cilium: '1.17', istio: '1.26' }), manifests)).findings.filter((f) => f.ruleId === 'cilium/l7-with-istio-mtls').map((f) => f.message)).toEqual([
      "CiliumNetworkPolicy 'shop/web' at spec: has L7 HTTP rules (toPorts[].rules.http) for pods in namespace 'shop' that PeerAuthentication 'shop/default' puts under Istio mTLS (STRICT): Cilium's HTTP proxy cannot read mTLS-encrypted traffic, so those rules cannot match. Enforce them with an Istio AuthorizationPolicy, or exempt these workloads with a PeerAuthentication in mode DISABLE.",
    ]);
  });
});

describe('istio/native-sidecar-cluster-support', () => {
  const REASON = "need the SidecarContainers feature (beta, on by default), which needs Kubernetes 1.29 or later; target 't' runs Kubernetes 1.28, where the feature gate is alpha and off, so injected pods would be rejected";
  const operator = (value: unknown) => ({ apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name: 'cp', namespace: 'istio-system' }, spec: { values: { pilot: { env: { ENABLE_NATIVE_SIDECARS: value } } } } });
  const deployment = (annotations: Record<string, string>) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' }, annotations }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', annotations: { 'sidecar.istio.io/nativeSidecar': 'true' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  const of = (kubernetes: string, objects: Record<string, unknown>[]) =>
    lint(new ManifestIndex(new Target({ name: 't', kubernetes, istio: '1.24' }), objects.map((object) => ({ object, applied: true }))))
      .findings.filter((f) => f.ruleId === 'istio/native-sidecar-cluster-support').map((f) => [f.severity, f.path, f.message]);

  test('on Kubernetes 1.28: ENABLE_NATIVE_SIDECARS true (as Go reads a bool) and the pod annotation "true" are errors', () => {
    expect(of('1.28', [operator(true), operator('True'), deployment({ 'sidecar.istio.io/nativeSidecar': 'true' }), pod])).toEqual([
      ['error', 'spec.values.pilot.env.ENABLE_NATIVE_SIDECARS', `IstioOperator 'istio-system/cp' at spec.values.pilot.env.ENABLE_NATIVE_SIDECARS: turns native sidecars on for every injected pod, but native sidecars ${REASON}. Set it to false.`],
      ['error', 'spec.values.pilot.env.ENABLE_NATIVE_SIDECARS', `IstioOperator 'istio-system/cp' at spec.values.pilot.env.ENABLE_NATIVE_SIDECARS: turns native sidecars on for every injected pod, but native sidecars ${REASON}. Set it to false.`],
      ['error', 'spec.template.metadata.annotations.sidecar.istio.io/nativeSidecar', `Deployment 'shop/web' at spec.template.metadata.annotations.sidecar.istio.io/nativeSidecar: asks for istio-proxy as a native sidecar in these pods, but native sidecars ${REASON}. Remove the annotation, or set it to "false".`],
      ['error', 'metadata.annotations.sidecar.istio.io/nativeSidecar', `Pod 'shop/p' at metadata.annotations.sidecar.istio.io/nativeSidecar: asks for istio-proxy as a native sidecar in these pods, but native sidecars ${REASON}. Remove the annotation, or set it to "false".`],
    ]);
  });
  test('auto, false, an opt-out annotation, or Kubernetes 1.29 are fine', () => {
    expect(of('1.28', [operator('auto'), operator(false), deployment({ 'sidecar.istio.io/nativeSidecar': 'false' })])).toEqual([]);
    expect(of('1.29', [operator(true), pod])).toEqual([]);
  });
});
