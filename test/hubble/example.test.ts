import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { synthesize } from '../../src/index.js';
import { buildExampleApp } from '../../src/main.js';

const root = join(__dirname, '..', '..');
/** The Hubble and Istio files of the bundled example's aks-cilium target. */
const MINE = ['aks-cilium/hubble-flow-logs.yaml', 'aks-cilium/istio.yaml', 'aks-cilium/istiod-values.yaml'];

describe('the bundled example carries the deny-rule flow log and the Istio native-sidecar settings', async () => {
  const fromYaml = synthesize(await buildApp(parseConfig(readFileSync(join(root, 'netsec.yaml'), 'utf8'), 'netsec.yaml')));
  const fromTs = synthesize(buildExampleApp());
  const file = (path: string) => fromYaml.files.find((f) => f.path === path)?.content ?? '';
  const objects = (path: string) => parse(file(path).replace(/^#.*\n/gm, '').split('\n---\n').join('\n---\n')) as unknown;

  test('netsec.yaml and src/main.ts write the same bytes for them', () => {
    expect(fromYaml.constructErrors).toEqual([]);
    expect(fromYaml.findings).toEqual([]);
    for (const path of MINE) expect(fromTs.files.find((f) => f.path === path)?.content, path).toBe(file(path));
    const hubbleKeys = (content: string) => (parse(content) as { hubble?: unknown }).hubble;
    expect(hubbleKeys(fromTs.files.find((f) => f.path === 'aks-cilium/cilium-values.yaml')!.content)).toEqual(hubbleKeys(file('aks-cilium/cilium-values.yaml')));
  });

  test('the exporter ConfigMap with match_sub_type: true and filePath: stdout, and its Helm values', () => {
    const cm = objects('aks-cilium/hubble-flow-logs.yaml') as { data: Record<string, string> };
    expect(parse(cm.data['flowlogs.yaml'])).toEqual({
      flowLogs: [
        {
          name: 'egress-traffic-blocking',
          filePath: 'stdout',
          fieldMask: [],
          includeFilters: [{ traffic_direction: ['EGRESS'], event_type: [{ type: 1, match_sub_type: true, sub_type: 181 }] }],
          excludeFilters: [],
        },
      ],
    });
    expect((parse(file('aks-cilium/cilium-values.yaml')) as { hubble: unknown }).hubble).toEqual({
      enabled: true,
      export: { dynamic: { enabled: true, config: { configMapName: 'cilium-flowlog-config', createConfigMap: false } } },
    });
  });

  test('the IstioOperator (Istio 1.23: served, applied) and the istiod values', () => {
    const values = { pilot: { env: { PILOT_ENABLE_STATUS: true, ENABLE_NATIVE_SIDECARS: true } }, sidecarInjectorWebhook: { rewriteAppHTTPProbe: true } };
    // istio.yaml also holds the AKS Istio add-on's AuthorizationPolicies and PeerAuthentication (test/istio/example-aks-istio-policies.test.ts).
    const operator = parseAllDocuments(file('aks-cilium/istio.yaml')).map((d) => d.toJS() as { kind?: string }).find((o) => o.kind === 'IstioOperator');
    expect(operator).toEqual({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'istiocontrolplane', namespace: 'istio-system' },
      spec: { values },
    });
    expect(parse(file('aks-cilium/istiod-values.yaml'))).toEqual(values);
  });
});
