import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../cli/run.js';
import { findAll, synthValid, tempDir } from '../util.js';

const TARGETS = 'targets:\n  - { name: old, kubernetes: "1.30", istio: "1.23" }\n  - { name: new, kubernetes: "1.33", istio: "1.27" }\n  - { name: cil, kubernetes: "1.30", cilium: "1.17" }\n';

describe('netsec.yaml istio:', () => {
  test('sidecar settings and PeerAuthentications on every Istio target', async () => {
    const app = await buildApp(
      parseConfig(
        `${TARGETS}istio:
  - sidecars: { nativeSidecars: auto, pilotEnableStatus: false }
    targets: [new]
  - sidecars: { nativeSidecars: disabled }
    targets: [old]
  - peerAuthentications:
      - { mode: STRICT }
      - { mode: PERMISSIVE, namespace: legacy }
      - { mode: STRICT, name: db, namespace: shop, matchLabels: { app: db }, portLevelMtls: { "9000": DISABLE } }
`,
        'netsec.yaml',
      ),
    );
    const result = synthValid(app);
    const paths = result.files.map((f) => f.path);
    expect(paths).toContain('new/not-applied/istio-operator.yaml');
    expect(paths).toContain('old/istio.yaml');
    expect(paths.filter((p) => p.startsWith('cil/'))).toEqual([]);
    // Istio 1.27's istiod chart reads env at the top level (1.23's: pilot.env).
    expect(parse(result.files.find((f) => f.path === 'new/istiod-values.yaml')!.content)).toEqual({
      env: { ENABLE_NATIVE_SIDECARS: 'auto', PILOT_ENABLE_STATUS: false },
      sidecarInjectorWebhook: { rewriteAppHTTPProbe: true },
    });
    expect(parse(result.files.find((f) => f.path === 'old/istiod-values.yaml')!.content).pilot).toEqual({ env: { ENABLE_NATIVE_SIDECARS: false, PILOT_ENABLE_STATUS: true } });
    const operators = findAll(result.objects, 'IstioOperator');
    expect(operators.map((o) => o.spec.values.pilot.env.ENABLE_NATIVE_SIDECARS).map(String).sort()).toEqual(['auto', 'false']);
    expect(findAll(result.objects, 'PeerAuthentication')).toHaveLength(6);
    for (const db of findAll(result.objects, 'PeerAuthentication', 'db')) expect(db.spec.portLevelMtls).toEqual({ '9000': { mode: 'DISABLE' } });
  });

  test('matchLabels without a namespace is refused, not dropped', () => {
    expect(() => parseConfig(`${TARGETS}istio:\n  - peerAuthentications:\n      - { mode: STRICT, matchLabels: { app: db } }\n`, 'netsec.yaml')).toThrow(/netsec\.yaml:7:9: .*namespace/);
  });

  test('authorizationPolicies: seed 004 on the AKS root namespace, with a per-policy suppression (its reason in the header, without a line number that would churn the output)', async () => {
    const app = await buildApp(
      parseConfig(
        `${TARGETS}istio:
  - rootNamespace: aks-istio-system
    targets: [new]
    peerAuthentications:
      - { name: strict-mtls, mode: STRICT }
    authorizationPolicies:
      - name: allow-nothing
        suppress: [{ rule: istio/allow-nothing-scope, reason: deny by default across the mesh }]
      - name: allow-get-requests
        namespace: foo
        matchLabels: { app: sample }
        action: ALLOW
        rules: [{ to: [{ methods: [GET] }] }]
      - { name: deny-legacy, namespace: foo, action: DENY, rules: [{ from: [{ namespaces: [legacy] }], to: [{ ports: [8080] }], when: [{ key: source.ip, notValues: [10.0.0.0/8] }] }] }
`,
        'netsec.yaml',
      ),
    );
    const result = synthValid(app);
    expect(findAll(result.objects, 'AuthorizationPolicy').map((o) => [o.metadata.namespace, o.metadata.name, o.spec])).toEqual([
      ['aks-istio-system', 'allow-nothing', {}],
      ['foo', 'allow-get-requests', { selector: { matchLabels: { app: 'sample' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }],
      ['foo', 'deny-legacy', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }], to: [{ operation: { ports: ['8080'] } }], when: [{ key: 'source.ip', notValues: ['10.0.0.0/8'] }] }] }],
    ]);
    expect(findAll(result.objects, 'PeerAuthentication').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['aks-istio-system/strict-mtls']);
    const header = result.files.find((f) => f.path === 'new/istio.yaml')!.content;
    expect(header).toContain("# Note: istio/allow-nothing-scope suppressed (deny by default across the mesh): AuthorizationPolicy 'aks-istio-system/allow-nothing' at spec: is an ALLOW policy without rules");
    expect(header).toContain("# WARNING: istio/allow-policy-implies-deny: AuthorizationPolicy 'foo/allow-get-requests' at spec: is an ALLOW policy");
  });

  test('a structural error is located at the policy in netsec.yaml', async () => {
    await expect(buildApp(parseConfig(`${TARGETS}istio:\n  - targets: [old]\n    authorizationPolicies:\n      - { name: d, namespace: foo, action: DENY }\n`, 'netsec.yaml'))).rejects.toThrow(
      "netsec.yaml:8:9: istio/authz-structural-errors: AuthorizationPolicy 'foo/d' at spec: a DENY policy without rules never matches, and istiod refuses it as meaningless; add an empty rule {} to deny every request (denyAll), or rules that say which requests.",
    );
  });

  test('Istio keys in the wrong place are refused at their key', () => {
    expect(() => parseConfig(`${TARGETS}istio:\n  - authorizationPolicies:\n      - { name: a, rules: [{ from: [{ source: { namespaces: [x] } }] }] }\n`, 'netsec.yaml')).toThrow(/netsec\.yaml:7:.*source/);
  });

  test('egressAllowances and outboundTrafficPolicy: one declaration, Cilium and Istio objects on a target that runs both', async () => {
    const app = await buildApp(
      parseConfig(
        `targets:\n  - { name: both, kubernetes: "1.30", cilium: "1.17", istio: "1.26" }\nistio:
  - sidecars: { outboundTrafficPolicy: REGISTRY_ONLY }
    egressAllowances:
      - name: payments-egress
        namespace: shop
        workloads: { app: payments }
        hosts: [{ host: api.stripe.com }]
`,
        'netsec.yaml',
      ),
    );
    const result = synthValid(app);
    expect(findAll(result.objects, 'CiliumNetworkPolicy').map((o) => o.spec.egress.find((r: Record<string, unknown>) => r.toFQDNs))).toEqual([
      { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    expect(findAll(result.objects, 'ServiceEntry').map((o) => o.spec.hosts)).toEqual([['api.stripe.com']]);
    expect(findAll(result.objects, 'Sidecar').map((o) => o.spec.egress)).toEqual([[{ hosts: ['./api.stripe.com', 'istio-system/*'] }]]);
    expect(parse(result.files.find((f) => f.path === 'both/istiod-values.yaml')!.content).meshConfig).toEqual({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
  });

  test('a wildcard host in an egress allowance is refused at its item', async () => {
    await expect(buildApp(parseConfig(`${TARGETS}istio:\n  - targets: [old]\n    egressAllowances:\n      - { name: e, namespace: shop, workloads: { app: x }, hosts: [{ host: "*.example.com" }] }\n`, 'netsec.yaml'))).rejects.toThrow(
      "netsec.yaml:8:9: MeshEgressAllowance 'old-istio/EgressAllowance-shop:e': host '*.example.com' is a wildcard;",
    );
  });
});

describe('netsec.yaml istio: egressAllowances', () => {
  test('two allowances for the same workloads are refused where the second is written (one Sidecar per pod)', async () => {
    const dir = tempDir('netsec-istio-allowances-');
    const config = join(dir, 'netsec.yaml');
    writeFileSync(config, `targets:
  - { name: t, kubernetes: "1.31", cilium: "1.18", istio: "1.26" }
istio:
  - sidecars: { outboundTrafficPolicy: REGISTRY_ONLY }
    egressAllowances:
      - name: pay-a
        namespace: shop
        workloads: { app: payments }
        hosts: [{ host: api.stripe.com }]
      - name: pay-b
        namespace: shop
        workloads: { app: payments }
        hosts: [{ host: api.paypal.com }]
`);
    const out = join(dir, 'dist');
    expect(await run('synth', '-c', config, '--out', out)).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        "error: netsec.yaml:10:9: Sidecar 'shop/pay-b' at spec.workloadSelector: selects the same pods as Sidecar 'shop/pay-a' (app: payments); Istio applies one Sidecar per pod and which one is undefined (IST0110), so one of the two host lists silently does not apply. Merge them into one Sidecar (in netsec.yaml: one egressAllowances entry with both hosts). [istio/sidecar-selectors-overlap]",
        `netsec synth: 1 problem; nothing was written, ${out}/ is unchanged.`,
        '',
      ].join('\n'),
    });
  });
});

test("an allowance's Sidecar keeps the control plane of the entry's rootNamespace (it kept istio-system on the AKS add-on)", async () => {
  const sidecarHosts = async (rootNamespace: string) => {
    const app = await buildApp(parseConfig(`targets:
  - { name: t, kubernetes: "1.31", istio: "1.26" }
istio:
  - ${rootNamespace}egressAllowances:
      - { name: pay, namespace: shop, workloads: { app: payments }, hosts: [{ host: api.stripe.com }] }
      - { name: ops, namespace: ops, workloads: { app: ops }, hosts: [{ host: api.pagerduty.com }], controlPlaneNamespace: mesh-cp }
`, 'netsec.yaml'));
    return findAll(synthValid(app).objects, 'Sidecar').map((s) => s.spec.egress[0].hosts);
  };
  expect(await sidecarHosts('rootNamespace: aks-istio-system\n    ')).toEqual([['./api.stripe.com', 'aks-istio-system/*'], ['./api.pagerduty.com', 'mesh-cp/*']]);
  expect(await sidecarHosts('')).toEqual([['./api.stripe.com', 'istio-system/*'], ['./api.pagerduty.com', 'mesh-cp/*']]);
});
