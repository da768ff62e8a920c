import { describe, expect, test } from 'vitest';
import { Flow } from '../../src/explain/index.js';
import { evaluate } from '../../src/explain/index.js';
import { cluster, objects, pod, short } from './helpers.js';

// Cases from Istio's docs (istio.io tasks/security/authorization: authz-http, authz-tcp, authz-deny; concepts/security
// "Authorization policy", "Peer authentication") and istio/api authorization_policy.proto; domain-notes §C.3.

const productpage = pod('default/productpage', { app: 'productpage' }, { sidecar: true, serviceAccount: 'bookinfo-productpage' });
const details = pod('default/details', { app: 'details' }, { sidecar: true, serviceAccount: 'bookinfo-details' });
const legacy = pod('legacy/sleep', { app: 'sleep' });
const c = cluster([productpage, details, legacy]);
const judge = (yaml: string, f: Flow) => evaluate({ objects: objects(yaml), cluster: c, versions: { kubernetes: '1.30', istio: '1.23' } }, f);
const get = (from: string, to: string, method = 'GET', path = '/'): Flow => ({ name: 'f', from: { pod: from }, to: { pod: to }, port: 9080, protocol: 'TCP', http: { method, path, headers: {} } });
const tcp = (from: string, to: string, port = 9080): Flow => ({ name: 'f', from: { pod: from }, to: { pod: to }, port, protocol: 'TCP' });
const ap = (name: string, ns: string, spec: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: ${ns} }
spec:
${spec}
---`;

describe('AuthorizationPolicy (istio.io authz-http, authorization_policy.proto)', () => {
  test('allow-nothing: spec {} denies every request to the workloads in scope', () => {
    const r = judge(ap('allow-nothing', 'default', '  {}'), get('default/productpage', 'default/details'));
    expect(short(r)).toBe('DENIED 403 default');
  });

  test('an ALLOW rule with principals and methods: the mTLS identity and GET match; POST hits the implied deny', () => {
    const yaml = ap('details-viewer', 'default', '  selector: { matchLabels: { app: details } }\n  action: ALLOW\n  rules:\n    - from: [ { source: { principals: [ "cluster.local/ns/default/sa/bookinfo-productpage" ] } } ]\n      to: [ { operation: { methods: [ GET ] } } ]');
    expect(short(judge(yaml, get('default/productpage', 'default/details')))).toBe('FORWARDED AuthorizationPolicy/default/details-viewer');
    expect(short(judge(yaml, get('default/productpage', 'default/details', 'POST')))).toBe('DENIED 403 default');
  });

  test('DENY is judged before ALLOW (authz-deny): a DENY on a path beats an allow-all', () => {
    const yaml = ap('allow-all', 'default', '  rules: [ {} ]') + ap('deny-admin', 'default', '  action: DENY\n  rules: [ { to: [ { operation: { paths: [ "/admin/*" ] } } ] } ]');
    expect(short(judge(yaml, get('default/productpage', 'default/details', 'GET', '/admin/users')))).toBe('DENIED 403 AuthorizationPolicy/default/deny-admin');
    expect(short(judge(yaml, get('default/productpage', 'default/details', 'GET', '/public')))).toBe('FORWARDED AuthorizationPolicy/default/allow-all');
  });

  test('paths match the URL path without its query or fragment (Envoy RBAC url_path: "/data" matches "/data#fragment?param=value")', () => {
    const yaml = ap('deny-admin', 'default', '  action: DENY\n  rules: [ { to: [ { operation: { paths: [ "/admin", "/files/{*}" ] } } ] } ]')
      + ap('allow-public', 'default', '  rules: [ { to: [ { operation: { paths: [ "/public" ] } } ] } ]');
    expect(short(judge(yaml, get('default/productpage', 'default/details', 'GET', '/admin?x=1')))).toBe('DENIED 403 AuthorizationPolicy/default/deny-admin');
    expect(short(judge(yaml, get('default/productpage', 'default/details', 'GET', '/admin#top')))).toBe('DENIED 403 AuthorizationPolicy/default/deny-admin');
    expect(short(judge(yaml, get('default/productpage', 'default/details', 'GET', '/files/a?download=1')))).toBe('DENIED 403 AuthorizationPolicy/default/deny-admin');
    expect(short(judge(yaml, get('default/productpage', 'default/details', 'GET', '/public?page=2')))).toBe('FORWARDED AuthorizationPolicy/default/allow-public');
    expect(short(judge(yaml, get('default/productpage', 'default/details', 'GET', '/publicity')))).toBe('DENIED 403 default');
  });

  test('a DENY rule with only HTTP fields denies all TCP traffic in scope (IST0133; istio.io security-issues)', () => {
    const yaml = ap('deny-post', 'default', '  action: DENY\n  rules: [ { to: [ { operation: { methods: [ POST ] } } ] } ]');
    expect(short(judge(yaml, tcp('default/productpage', 'default/details')))).toBe('DENIED AuthorizationPolicy/default/deny-post');
    expect(short(judge(yaml, get('default/productpage', 'default/details')))).toBe('FORWARDED default');
  });

  test('an ALLOW rule with HTTP fields never matches TCP traffic (authz-tcp); a ports rule does', () => {
    const yaml = ap('tcp', 'default', '  rules: [ { to: [ { operation: { methods: [ GET ] } } ] }, { to: [ { operation: { ports: [ "9000" ] } } ] } ]');
    expect(short(judge(yaml, tcp('default/productpage', 'default/details')))).toBe('DENIED default');
    expect(short(judge(yaml, tcp('default/productpage', 'default/details', 9000)))).toBe('FORWARDED AuthorizationPolicy/default/tcp');
  });

  test('a root-namespace policy applies mesh-wide; namespaces need an mTLS identity (plaintext carries none)', () => {
    const yaml = ap('from-default', 'istio-system', '  rules: [ { from: [ { source: { namespaces: [ default ] } } ] } ]');
    expect(short(judge(yaml, get('default/productpage', 'default/details')))).toBe('FORWARDED AuthorizationPolicy/istio-system/from-default');
    expect(short(judge(yaml, get('legacy/sleep', 'default/details')))).toBe('DENIED 403 default');
  });

  test('path templates: /foo/{*} matches one segment, not two (authorization_policy.proto)', () => {
    const yaml = ap('tpl', 'default', '  rules: [ { to: [ { operation: { paths: [ "/foo/{*}" ] } } ] } ]');
    expect(judge(yaml, get('default/productpage', 'default/details', 'GET', '/foo/bar')).verdict).toBe('FORWARDED');
    expect(judge(yaml, get('default/productpage', 'default/details', 'GET', '/foo/bar/baz')).verdict).toBe('DENIED');
  });
});

describe('PeerAuthentication (istio.io concepts/security "Peer authentication", peer_authentication.proto)', () => {
  const pa = (name: string, ns: string, spec: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: ${name}, namespace: ${ns} }
spec:
${spec}
---`;
  test('STRICT mesh-wide refuses plaintext from a pod without a sidecar; mTLS clients pass', () => {
    const yaml = pa('default', 'istio-system', '  mtls: { mode: STRICT }');
    const r = judge(yaml, tcp('legacy/sleep', 'default/details'));
    expect(short(r)).toBe('DENIED PeerAuthentication/istio-system/default');
    expect(r.steps.at(-1)!.detail).toBe('PeerAuthentication mode STRICT (PeerAuthentication/istio-system/default) refuses plaintext from legacy/sleep, which has no sidecar; the sidecar closes the connection');
    expect(short(judge(yaml, tcp('default/productpage', 'default/details')))).toBe('FORWARDED default');
  });

  test('a workload port-level PERMISSIVE beats the namespace STRICT for that port only', () => {
    const yaml = pa('ns', 'default', '  mtls: { mode: STRICT }') + pa('details', 'default', '  selector: { matchLabels: { app: details } }\n  portLevelMtls: { "9000": { mode: PERMISSIVE } }');
    expect(judge(yaml, tcp('legacy/sleep', 'default/details', 9000)).verdict).toBe('FORWARDED');
    expect(judge(yaml, tcp('legacy/sleep', 'default/details', 9080)).verdict).toBe('DENIED');
  });
});

describe('Istio settings', () => {
  test('the root namespace comes from cluster.istio.rootNamespace (AKS add-on: aks-istio-system); plaintext refused below HTTP has no 403', () => {
    const yaml = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: strict, namespace: aks-istio-system }
spec: { mtls: { mode: STRICT } }
`;
    const input = (root: string) => ({ objects: objects(yaml), cluster: { ...c, istio: { rootNamespace: root } }, versions: { kubernetes: '1.30', istio: '1.23' } });
    const f = get('legacy/sleep', 'default/details');
    expect(short(evaluate(input('istio-system'), f))).toBe('FORWARDED default');
    const r = evaluate(input('aks-istio-system'), f);
    expect(short(r)).toBe('DENIED PeerAuthentication/aks-istio-system/strict');
    expect(r.httpStatus).toBeUndefined();
  });
});
