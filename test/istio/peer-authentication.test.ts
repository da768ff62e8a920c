import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { MtlsMode, NetsecChart, NetsecError, PeerAuthentication, PeerAuthenticationScope, Target, TargetProps, synthesize } from '../../src/index.js';
import { constructErrors, findAll, findOne, synthValid, targetChart } from '../util.js';

const TARGET: TargetProps = { name: 't', kubernetes: '1.30', cilium: '1.17', istio: '1.23' };

describe('PeerAuthentication', () => {
  test('mesh-wide STRICT goes to the root namespace without a selector', () => {
    const { app, chart } = targetChart(TARGET);
    new PeerAuthentication(chart, 'Mesh', { mode: MtlsMode.STRICT });
    expect(findOne(synthValid(app).objects, 'PeerAuthentication')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    });
  });

  test('per namespace and per workload with port-level modes', () => {
    const { app, chart } = targetChart(TARGET);
    new PeerAuthentication(chart, 'Shop', { mode: MtlsMode.PERMISSIVE, scope: PeerAuthenticationScope.namespace('shop') });
    new PeerAuthentication(chart, 'Db', {
      name: 'db',
      mode: MtlsMode.STRICT,
      scope: PeerAuthenticationScope.workload('shop', { app: 'db' }),
      portLevelMtls: { 9000: MtlsMode.DISABLE },
    });
    const objects = synthValid(app).objects;
    expect(findOne(objects, 'PeerAuthentication', 'default')).toMatchObject({ metadata: { namespace: 'shop' }, spec: { mtls: { mode: 'PERMISSIVE' } } });
    expect(findOne(objects, 'PeerAuthentication', 'db').spec).toEqual({ selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '9000': { mode: 'DISABLE' } } });
  });

  // Named by its construct path until its namespace and name are known, then as the object it writes.
  const who = "PeerAuthentication 'test/Pa'";
  const named = (namespace: string) => `PeerAuthentication '${namespace}/default'`;
  test.each([
    // The lint rule istio/peerauth-shape's check, run by the construct (one implementation), plus a netsec hint.
    [{ mode: MtlsMode.STRICT, portLevelMtls: { 80: MtlsMode.DISABLE } }, `istio/peerauth-shape: ${named('istio-system')} at spec.portLevelMtls: port-level mTLS needs a workload selector; Istio refuses it on mesh-wide and namespace-wide PeerAuthentications. Add selector.matchLabels or remove portLevelMtls. In netsec: namespace and matchLabels (PeerAuthenticationScope.workload(namespace, labels)).`],
    [{ mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.workload('a', { app: 'x' }), portLevelMtls: {} }, `istio/peerauth-shape: ${named('a')} at spec.portLevelMtls: portLevelMtls is empty, which Istio refuses; remove it for one mode on every port, or name the ports.`],
    [{ mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.workload('a', { app: 'x' }), portLevelMtls: { 70000: MtlsMode.DISABLE } }, `istio/peerauth-shape: ${named('a')} at spec.portLevelMtls.70000: port "70000" is not 1-65535; keys are the workload's container ports.`],
    [{ mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.workload('istio-system', { app: 'x' }) }, `istio/peerauth-shape: ${named('istio-system')} at spec.selector: a PeerAuthentication with a selector in Istio's root namespace 'istio-system' is ignored; put it in the namespace of the workloads it selects. In netsec: the workloads' namespace as namespace, with matchLabels (PeerAuthenticationScope.workload('<the workloads' namespace>', labels)).`],
    [{ mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.namespace('istio-system') }, `${named('istio-system')}: a namespace-wide PeerAuthentication in the root namespace 'istio-system' applies to the whole mesh. Did you mean PeerAuthenticationScope.mesh()?`],
    [{ mode: 'ON' as MtlsMode }, `${who}: 'mode' must be one of: UNSET, DISABLE, PERMISSIVE, STRICT (got "ON").`],
    [{ mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.workload('a', { app: 'x' }), portLevelMtls: { 80: 'OFF' as MtlsMode } }, `${named('a')}: 'portLevelMtls[80]' must be one of: UNSET, DISABLE, PERMISSIVE, STRICT (got "OFF").`],
  ])('refused: %#', (props, message) => {
    const { chart } = targetChart(TARGET);
    expect(() => new PeerAuthentication(chart, 'Pa', props)).toThrow(new NetsecError('INVALID', message));
  });

  test('scope factories check their input', () => {
    expect(() => PeerAuthenticationScope.namespace('Shop')).toThrow(
      new NetsecError('INVALID', "PeerAuthenticationScope.namespace('Shop'): namespace \"Shop\" must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)."),
    );
    expect(() => PeerAuthenticationScope.workload('shop', {})).toThrow(
      new NetsecError('INVALID', "PeerAuthenticationScope.workload('shop'): 'matchLabels' must name at least one label; for every workload of the namespace use PeerAuthenticationScope.namespace('shop')."),
    );
    expect(() => PeerAuthenticationScope.workload('shop', { app: 'web*' })).toThrow(
      new NetsecError('INVALID', "PeerAuthenticationScope.workload('shop'): label 'app=web*' must not contain '*' (Istio matches labels exactly)."),
    );
  });

  test('Istio honours one mesh-wide and one namespace-wide policy', () => {
    const { app, chart } = targetChart(TARGET);
    new PeerAuthentication(chart, 'Mesh', { mode: MtlsMode.STRICT });
    new PeerAuthentication(chart, 'Mesh2', { name: 'strict', mode: MtlsMode.PERMISSIVE });
    new PeerAuthentication(chart, 'Shop', { mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.namespace('shop') });
    new PeerAuthentication(chart, 'Shop2', { name: 'other', mode: MtlsMode.DISABLE, scope: PeerAuthenticationScope.namespace('shop') });
    expect(constructErrors(app)).toEqual([
      "[test/Mesh2] Istio honours only one mesh-wide PeerAuthentication (root namespace 'istio-system') and ignores the newer ones; 'test/Mesh' is one already. Merge them into one.",
      "[test/Shop2] Istio honours only one namespace-wide PeerAuthentication in 'shop' and ignores the newer ones; 'test/Shop' is one already. Merge them into one.",
    ]);
  });

  test('a target without Istio', () => {
    const { chart } = targetChart({ name: 't', cilium: '1.17' });
    expect(() => new PeerAuthentication(chart, 'Pa', { mode: MtlsMode.STRICT })).toThrow(new NetsecError('INVALID', "PeerAuthentication 'test/Pa': needs Istio, but target 't' names no Istio version."));
  });

  test('escape hatch: the L1 takes JSON patches', () => {
    const { app, chart } = targetChart(TARGET);
    const pa = new PeerAuthentication(chart, 'Mesh', { mode: MtlsMode.STRICT });
    ApiObject.of(pa).addJsonPatch(JsonPatch.add('/metadata/labels', { owner: 'platform' }));
    expect(findAll(synthValid(app).objects, 'PeerAuthentication')[0].metadata.labels).toEqual({ owner: 'platform' });
  });
});

/** A raw CiliumNetworkPolicy L1 with an HTTP rule (independent of the Cilium constructs being written elsewhere). */
function l7Policy(scope: Construct, id: string, namespace: string | undefined, endpointLabels: Record<string, string>) {
  return new ApiObject(scope, id, {
    apiVersion: 'cilium.io/v2',
    kind: namespace === undefined ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
    metadata: { name: id.toLowerCase(), ...(namespace === undefined ? {} : { namespace }) },
    spec: {
      endpointSelector: { matchLabels: endpointLabels },
      ingress: [{ toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] }],
    },
  });
}

// The lint rule (src/lint/rules/cilium-istio.ts) reports on the policy whose HTTP rules go blind, at the rule's path.
const warning = (policy: string, pods: string, pa: string, mode: string) =>
  `cilium/l7-with-istio-mtls: ${policy} at spec: has L7 HTTP rules (toPorts[].rules.http) for ${pods} that PeerAuthentication '${pa}' puts under Istio mTLS (${mode}): ` +
  "Cilium's HTTP proxy cannot read mTLS-encrypted traffic, so those rules cannot match. Enforce them with an Istio AuthorizationPolicy, " +
  'or exempt these workloads with a PeerAuthentication in mode DISABLE.';

describe('cilium/l7-with-istio-mtls (a lint rule): a warning, not an error', () => {
  const warningsOf = (app: Construct) => synthValid(app as never).diagnostics.filter((d) => d.level === 'warning').map((d) => `[${d.path}] ${d.message}`);

  test('a CNP with HTTP rules in a namespace under mesh-wide STRICT', () => {
    const { app, chart } = targetChart(TARGET);
    new PeerAuthentication(chart, 'Mesh', { mode: MtlsMode.STRICT });
    l7Policy(chart, 'Frontend', 'shop', { app: 'frontend' });
    const result = synthValid(app);
    expect(result.diagnostics.filter((d) => d.level === 'warning').map((d) => `[${d.path}] ${d.message}`)).toEqual([
      `[test/Frontend] ${warning("CiliumNetworkPolicy 'shop/frontend'", "pods in namespace 'shop'", 'istio-system/default', 'STRICT')}`,
    ]);
    expect(result.files.find((f) => f.path === 't/test.yaml')!.content).toContain("# WARNING: cilium/l7-with-istio-mtls: CiliumNetworkPolicy 'shop/frontend' at spec: has L7 HTTP rules");
    expect(synthesize(app).diagnostics.filter((d) => d.level === 'warning')).toHaveLength(1);
  });

  test('a namespace in DISABLE is exempt, a PERMISSIVE one is not', () => {
    const { app, chart } = targetChart(TARGET);
    new PeerAuthentication(chart, 'Mesh', { mode: MtlsMode.PERMISSIVE });
    new PeerAuthentication(chart, 'Plain', { mode: MtlsMode.DISABLE, scope: PeerAuthenticationScope.namespace('legacy') });
    l7Policy(chart, 'Legacy', 'legacy', { app: 'old' });
    l7Policy(chart, 'Shop', 'shop', { app: 'web' });
    expect(warningsOf(app)).toEqual([`[test/Shop] ${warning("CiliumNetworkPolicy 'shop/shop'", "pods in namespace 'shop'", 'istio-system/default', 'PERMISSIVE')}`]);
  });

  test('a workload in DISABLE whose selector the policy implies is exempt; an overlapping STRICT workload is warned about', () => {
    const { app, chart } = targetChart(TARGET);
    new PeerAuthentication(chart, 'Plain', { mode: MtlsMode.DISABLE, scope: PeerAuthenticationScope.namespace('shop') });
    new PeerAuthentication(chart, 'Web', { name: 'web', mode: MtlsMode.DISABLE, scope: PeerAuthenticationScope.workload('shop', { app: 'web' }) });
    new PeerAuthentication(chart, 'Db', { name: 'db', mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.workload('shop', { tier: 'db' }) });
    l7Policy(chart, 'WebHttp', 'shop', { 'k8s:app': 'web', tier: 'front' });
    l7Policy(chart, 'Any', 'shop', {});
    expect(warningsOf(app)).toEqual([`[test/Any] ${warning("CiliumNetworkPolicy 'shop/any'", "pods in namespace 'shop'", 'shop/db', 'STRICT')}`]);
  });

  test('a CCNP without a namespace label covers every namespace; with one, only that namespace', () => {
    const { app, chart } = targetChart(TARGET);
    new PeerAuthentication(chart, 'Mesh', { mode: MtlsMode.DISABLE });
    new PeerAuthentication(chart, 'Shop', { mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.namespace('shop') });
    l7Policy(chart, 'Everywhere', undefined, { app: 'web' });
    l7Policy(chart, 'Billing', undefined, { 'k8s:io.kubernetes.pod.namespace': 'billing' });
    expect(warningsOf(app)).toEqual([`[test/Everywhere] ${warning("CiliumClusterwideNetworkPolicy 'everywhere'", "pods in namespace 'shop'", 'shop/default', 'STRICT')}`]);
  });

  test('policies of another target, or without HTTP rules, or without any PeerAuthentication, are not warned about', () => {
    const { app, chart } = targetChart(TARGET);
    new PeerAuthentication(chart, 'Mesh', { mode: MtlsMode.STRICT });
    new ApiObject(chart, 'L4', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'l4', namespace: 'shop' },
      spec: { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] },
    });
    const other = new NetsecChart(app, 'other', { target: new Target({ ...TARGET, name: 'other' }) });
    l7Policy(other, 'Web', 'shop', { app: 'web' });
    expect(warningsOf(app)).toEqual([]);
  });
  test('a policy in a namespace no PeerAuthentication covers is not warned about', () => {
    const plain = targetChart({ name: 'p', cilium: '1.17', istio: '1.23' });
    new PeerAuthentication(plain.chart, 'Shop', { mode: MtlsMode.STRICT, scope: PeerAuthenticationScope.namespace('shop') });
    l7Policy(plain.chart, 'Web', 'web', { app: 'web' });
    expect(warningsOf(plain.app)).toEqual([]);
  });
});

describe('PeerAuthentication metadata (labels and annotations)', () => {
  test('reach the object; peerAuthentication.metadata adds more later', () => {
    const { app, chart } = targetChart(TARGET);
    const pa = new PeerAuthentication(chart, 'Mesh', { mode: MtlsMode.STRICT, metadata: { labels: { team: 'mesh' }, annotations: { 'argocd.argoproj.io/sync-wave': '1' } } });
    pa.metadata.addAnnotation('example.com/ticket', 'NET-42');
    expect(findOne(synthValid(app).objects, 'PeerAuthentication').metadata).toEqual({
      name: 'default',
      namespace: 'istio-system',
      labels: { team: 'mesh' },
      annotations: { 'argocd.argoproj.io/sync-wave': '1', 'example.com/ticket': 'NET-42' },
    });
  });

  test('a bad label value is refused, naming the construct', () => {
    expect(() => new PeerAuthentication(targetChart(TARGET).chart, 'Mesh', { mode: MtlsMode.STRICT, metadata: { labels: { team: 'mesh/net' } } })).toThrow(
      "PeerAuthentication 'istio-system/default': metadata.labels 'team' is 'mesh/net', which is not a valid label value; expected at most 63 characters of [A-Za-z0-9_.-], beginning and ending with a letter or digit, or empty.",
    );
  });
});
