import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { findAll, synthValid } from '../util.js';

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
    expect(parse(result.files.find((f) => f.path === 'new/istiod-values.yaml')!.content)).toEqual({
      pilot: { env: { ENABLE_NATIVE_SIDECARS: 'auto', PILOT_ENABLE_STATUS: false } },
      sidecarInjectorWebhook: { rewriteAppHTTPProbe: true },
    });
    const operators = findAll(result.objects, 'IstioOperator');
    expect(operators.map((o) => o.spec.values.pilot.env.ENABLE_NATIVE_SIDECARS).map(String).sort()).toEqual(['auto', 'false']);
    expect(findAll(result.objects, 'PeerAuthentication')).toHaveLength(6);
    for (const db of findAll(result.objects, 'PeerAuthentication', 'db')) expect(db.spec.portLevelMtls).toEqual({ '9000': { mode: 'DISABLE' } });
  });

  test('matchLabels without a namespace is refused, not dropped', () => {
    expect(() => parseConfig(`${TARGETS}istio:\n  - peerAuthentications:\n      - { mode: STRICT, matchLabels: { app: db } }\n`, 'netsec.yaml')).toThrow(/netsec\.yaml:7:9: .*namespace/);
  });
});
