import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { run } from '../cli/run.js';

// The bundled example's scenario files, judged against what `netsec synth` writes for aks-cilium from netsec.yaml.
const dir = 'examples/scenarios';
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f));

test('the bundled scenario files pass through netsec test (egress block on Cilium and Calico, deny-all DNS, L7, FQDN through node-local-dns, the AKS Istio add-on policies)', async () => {
  expect(files).toEqual([
    'examples/scenarios/deny-all-dns.yaml', 'examples/scenarios/egress-blocking-calico-legacy.yaml',
    'examples/scenarios/egress-blocking-calico.yaml', 'examples/scenarios/egress-blocking.yaml',
    'examples/scenarios/fqdn-workload.yaml', 'examples/scenarios/istio-aks-mtls-allow-get.yaml', 'examples/scenarios/l7-policy.yaml',
  ]);
  const r = await run('test', ...files);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('25 passed, 0 failed\n');
  expect(r.code).toBe(0);
});

test('netsec explain --output json names the deny rule of the egress block and its drop reason', async () => {
  const r = await run('explain', 'examples/scenarios/egress-blocking.yaml', '--output', 'json');
  expect(r.code).toBe(0);
  const flows = JSON.parse(r.stdout).flows;
  expect(flows[0]).toEqual({
    name: 'a blocked address is dropped by the deny rule',
    verdict: 'DROPPED',
    dropReason: 'POLICY_DENY',
    dropReasonCode: 181,
    by: 'CiliumClusterwideNetworkPolicy/egress-traffic-blocking',
    file: 'examples/scenarios/egress-blocking.yaml',
    steps: [{
      layer: 'cilium-egress',
      endpoint: 'default/client',
      selectedBy: ['CiliumClusterwideNetworkPolicy/egress-traffic-blocking'],
      defaultDeny: false,
      matched: [{ by: 'CiliumClusterwideNetworkPolicy/egress-traffic-blocking', path: 'spec.egressDeny[0]' }],
      outcome: 'deny',
      detail: 'egress of default/client to 217.160.0.92 (world) on 443/TCP: selected by CiliumClusterwideNetworkPolicy/egress-traffic-blocking; the deny rule CiliumClusterwideNetworkPolicy/egress-traffic-blocking spec.egressDeny[0] matches, and a deny wins over every allow',
    }],
  });
  expect(flows.map((f: { verdict: string }) => f.verdict)).toEqual(['DROPPED', 'DROPPED', 'FORWARDED', 'FORWARDED']);
});
