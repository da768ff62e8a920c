import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { formatFinding, synthesize } from '../../src/index.js';
import { buildExampleApp } from '../../src/main.js';

const root = join(__dirname, '..', '..');
/** The files issue #5 adds to the bundled example. */
const MINE = ['aks-cilium/node-local-dns.yaml', 'aks-cilium/cilium-policies.yaml'];

describe('the bundled example carries seed 004 and the seed 001-003 policies', async () => {
  const fromYaml = synthesize(await buildApp(parseConfig(readFileSync(join(root, 'netsec.yaml'), 'utf8'), 'netsec.yaml')));
  const fromTs = synthesize(buildExampleApp());
  const file = (path: string) => fromYaml.files.find((f) => f.path === path)?.content ?? '';
  const objects = (path: string) => parseAllDocuments(file(path)).map((d) => d.toJS() as Record<string, any>);
  const find = (path: string, kind: string, name: string) => objects(path).find((o) => o.kind === kind && o.metadata.name === name)!;

  test('netsec.yaml and src/main.ts write the same bytes, valid for the target line', () => {
    expect(fromYaml.constructErrors).toEqual([]);
    expect(fromYaml.findings.map(formatFinding)).toEqual([]);
    for (const path of MINE) expect(fromTs.files.find((f) => f.path === path)?.content, path).toBe(file(path));
    const lrpKey = (content: string) => (parse(content) as { localRedirectPolicy?: unknown }).localRedirectPolicy;
    expect(lrpKey(file('aks-cilium/cilium-values.yaml'))).toBe(true);
    expect(lrpKey(fromTs.files.find((f) => f.path === 'aks-cilium/cilium-values.yaml')!.content)).toBe(true);
  });

  test("seed 004's DaemonSet arguments and Local Redirect Policy", () => {
    const ds = find('aks-cilium/node-local-dns.yaml', 'DaemonSet', 'node-local-dns');
    expect(ds.spec.template.spec.hostNetwork).toBe(false);
    expect(ds.spec.template.spec.containers[0].args).toEqual([
      '-localip', '0.0.0.0', '-conf', '/etc/Corefile', '-upstreamsvc', 'kube-dns-upstream', '-skipteardown=true', '-setupinterface=false', '-setupiptables=false',
    ]);
    const lrp = find('aks-cilium/node-local-dns.yaml', 'CiliumLocalRedirectPolicy', 'nodelocaldns');
    expect(lrp.spec.redirectFrontend).toEqual({ serviceMatcher: { serviceName: 'kube-dns', namespace: 'kube-system' } });
    expect(lrp.spec.redirectBackend).toEqual({
      localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } },
      toPorts: [{ port: '53', name: 'dns', protocol: 'UDP' }, { port: '53', name: 'dns-tcp', protocol: 'TCP' }],
    });
  });

  test("seed 004's secure-workload-policy with the dual-label DNS rule", () => {
    const policy = find('aks-cilium/cilium-policies.yaml', 'CiliumNetworkPolicy', 'secure-workload-policy');
    expect(policy.spec.egress[1].toEndpoints).toEqual([
      { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } },
      { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'node-local-dns' } },
    ]);
    expect(policy.spec.egress[1].toPorts[0].rules).toEqual({ dns: [{ matchPattern: '*' }] });
    expect(policy.spec.egress[0]).toEqual({ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
  });

  test('seeds 001-003: deny-all, FQDN pattern, L7 GET /discount', () => {
    expect(find('aks-cilium/cilium-policies.yaml', 'CiliumNetworkPolicy', 'productpage-deny-all').spec.egress).toEqual([{}]);
    expect(file('aks-cilium/cilium-policies.yaml')).toContain("# WARNING: CiliumNetworkPolicy 'default/productpage-deny-all' puts its pods in egress default-deny");
    const echo = find('aks-cilium/cilium-policies.yaml', 'CiliumNetworkPolicy', 'echo');
    expect(echo.spec.egress[0]).toEqual({ toFQDNs: [{ matchPattern: '*.k8s.intra' }] });
    expect(echo.spec.egress[1].toEndpoints).toHaveLength(2);
    const l7 = find('aks-cilium/cilium-policies.yaml', 'CiliumNetworkPolicy', 'l7-policy');
    expect(l7.spec.ingress[0].toPorts[0].rules).toEqual({ http: [{ method: 'GET', path: '/discount' }] });
  });
});
