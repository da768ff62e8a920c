import { describe, expect, test } from 'vitest';
import { ExternalProtocol, IstioServiceEntry, IstioSidecar, MeshEgressAllowance, NetsecError, OutboundTrafficPolicyMode, TargetProps } from '../../src/index.js';
import { findAll, findOne, synthValid, targetChart } from '../util.js';

const BOTH: TargetProps = { name: 't', kubernetes: '1.30', cilium: '1.17', istio: '1.23' };

describe('MeshEgressAllowance: one declaration, both layers', () => {
  test.each([BOTH, { ...BOTH, cilium: '1.20', istio: '1.30', kubernetes: '1.33' }])('Cilium toFQDNs + DNS rules and Istio ServiceEntry + Sidecar from the same hosts (%#)', (target) => {
    const { app, chart } = targetChart(target);
    new MeshEgressAllowance(chart, 'Api', {
      name: 'critical-workload-egress',
      namespace: 'shop',
      workloads: { app: 'critical-workload' },
      hosts: [{ host: 'api.example.com' }, { host: 'login.example.com' }, { host: 'status.example.com', port: 80, protocol: ExternalProtocol.HTTP }],
    });
    const result = synthValid(app);
    const cnp = findOne(result.objects, 'CiliumNetworkPolicy');
    expect(cnp.metadata).toEqual({ name: 'critical-workload-egress', namespace: 'shop' });
    expect(cnp.spec.endpointSelector).toEqual({ matchLabels: { app: 'critical-workload' } });
    const fqdnRules = cnp.spec.egress.filter((r: Record<string, unknown>) => r.toFQDNs);
    expect(fqdnRules).toEqual([
      { toFQDNs: [{ matchName: 'status.example.com' }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
      { toFQDNs: [{ matchName: 'api.example.com' }, { matchName: 'login.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    // netsec's DNS rule: port 53 with the DNS proxy seeing the queries, so toFQDNs learns the IPs.
    expect(cnp.spec.egress.some((r: { toPorts?: { ports: { port: string }[]; rules?: { dns?: unknown[] } }[] }) => r.toPorts?.some((p) => p.ports.some((x) => x.port === '53') && p.rules?.dns))).toBe(true);

    expect(findAll(result.objects, 'ServiceEntry').map((o) => [o.metadata, o.spec])).toEqual([
      [{ name: 'critical-workload-egress', namespace: 'shop' }, { hosts: ['api.example.com', 'login.example.com'], exportTo: ['.'], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }], resolution: 'DNS' }],
      [{ name: 'critical-workload-egress-2', namespace: 'shop' }, { hosts: ['status.example.com'], exportTo: ['.'], location: 'MESH_EXTERNAL', ports: [{ number: 80, name: 'http-80', protocol: 'HTTP' }], resolution: 'DNS' }],
    ]);
    expect(findOne(result.objects, 'Sidecar')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'critical-workload-egress', namespace: 'shop' },
      spec: {
        workloadSelector: { labels: { app: 'critical-workload' } },
        egress: [{ hosts: ['./api.example.com', './login.example.com', './status.example.com', 'istio-system/*'] }],
        outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
      },
    });
    expect(result.files.find((f) => f.path === 't/test.yaml')!.content).toContain(
      "# Note: Egress allowance 'shop/critical-workload-egress': pods labelled app: critical-workload may reach api.example.com:443, login.example.com:443, status.example.com:80, enforced by Cilium (CiliumNetworkPolicy with toFQDNs and the DNS rules) and Istio (ServiceEntry, and a Sidecar with REGISTRY_ONLY). Istio uses only one Sidecar per workload: no other Sidecar with a workloadSelector may select these pods.",
    );
  });

  test('a target with only one of the two layers gets that layer', () => {
    const istioOnly = targetChart({ name: 't', kubernetes: '1.30', istio: '1.26' });
    const a = new MeshEgressAllowance(istioOnly.chart, 'A', { name: 'a', namespace: 'shop', workloads: { app: 'x' }, hosts: [{ host: 'api.example.com' }] });
    expect([a.ciliumPolicy, a.serviceEntry !== undefined, a.sidecar !== undefined]).toEqual([undefined, true, true]);
    expect(findAll(synthValid(istioOnly.app).objects, 'CiliumNetworkPolicy')).toEqual([]);
    const ciliumOnly = targetChart({ name: 't', kubernetes: '1.30', cilium: '1.17' });
    const b = new MeshEgressAllowance(ciliumOnly.chart, 'B', { name: 'b', namespace: 'shop', workloads: { app: 'x' }, hosts: [{ host: 'api.example.com' }] });
    expect([b.ciliumPolicy !== undefined, b.serviceEntry, b.sidecar]).toEqual([true, undefined, undefined]);
    expect(synthValid(ciliumOnly.app).objects.map((o) => o.kind)).toEqual(['CiliumNetworkPolicy']);
  });

  const who = "MeshEgressAllowance 'test/E'";
  test.each([
    [{ hosts: [{ host: '*.example.com' }] }, `${who}: host '*.example.com' is a wildcard; Istio's '*.example.com' matches names at any depth and Cilium's matchPattern '*.example.com' one label only, so one declaration would allow different names on each layer. Name the hosts exactly.`],
    [{ hosts: [] }, `${who}: 'hosts' is empty; name the external hosts the workloads may reach.`],
    [{ workloads: {} }, `${who}: 'workloads' names no label; an allowance for every pod of the namespace is too broad to be an exception. Name the workloads' labels.`],
    [{ hosts: [{ host: 'API.example.com' }] }, `${who}: host "API.example.com" is not a DNS name (lowercase labels separated by '.', optionally starting with '*.'); write it as api.example.com.`],
    [{ hosts: [{ host: '1.2.3.4' }] }, `${who}: host "1.2.3.4" is an IP address, not a DNS name: the Cilium policy matches names in DNS answers and the ServiceEntry names hosts, so an address would allow nothing. Name the host (api.example.com), or allow the address with a CIDR rule (a Cilium policy's to.cidrs).`],
    [{ hosts: [{ host: 'api.example.com', port: 0 }] }, `${who}: port 0 must be an integer 1-65535.`],
  ])('refused: %#', (props, message) => {
    const { chart } = targetChart(BOTH);
    expect(() => new MeshEgressAllowance(chart, 'E', { name: 'e', namespace: 'shop', workloads: { app: 'x' }, hosts: [{ host: 'api.example.com' }], ...props })).toThrow(new NetsecError('INVALID', message));
  });

  test('a target with neither Cilium nor Istio', () => {
    const { chart } = targetChart({ name: 'c', kubernetes: '1.30', calico: '3.30' });
    expect(() => new MeshEgressAllowance(chart, 'E', { name: 'e', namespace: 'shop', workloads: { app: 'x' }, hosts: [{ host: 'api.example.com' }] })).toThrow(
      new NetsecError('INVALID', "MeshEgressAllowance 'test/E': target 'c' runs neither Cilium nor Istio, so there is no layer to write; name a cilium or istio version in the target."),
    );
  });
});

describe('IstioSidecar and IstioServiceEntry', () => {
  test('a namespace-wide Sidecar with REGISTRY_ONLY, and a wildcard ServiceEntry (resolution NONE) exported to the mesh', () => {
    const { app, chart } = targetChart(BOTH);
    new IstioSidecar(chart, 'Shop', { namespace: 'shop', egressHosts: ['./*', 'istio-system/*', '*/api.example.com'], outboundTrafficPolicy: OutboundTrafficPolicyMode.REGISTRY_ONLY });
    new IstioServiceEntry(chart, 'Wild', { name: 'example', namespace: 'shop', hosts: ['*.example.com'], ports: [{ port: 443 }], exportTo: ['*'] });
    const objects = synthValid(app).objects;
    expect(findOne(objects, 'Sidecar').spec).toEqual({ egress: [{ hosts: ['./*', 'istio-system/*', '*/api.example.com'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(findOne(objects, 'Sidecar').metadata).toEqual({ name: 'default', namespace: 'shop' });
    expect(findOne(objects, 'ServiceEntry').spec).toEqual({ hosts: ['*.example.com'], exportTo: ['*'], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }], resolution: 'NONE' });
  });

  test.each([
    [() => ({ namespace: 'shop', egressHosts: [] }), "IstioSidecar 'test/S': 'egressHosts' is empty; name the hosts the sidecars may know as <namespace>/<host>, e.g. './api.example.com' or 'istio-system/*'."],
    [() => ({ namespace: 'shop', egressHosts: ['api.example.com'] }), "IstioSidecar 'test/S': egress host \"api.example.com\" is not <namespace>/<host>; write './api.example.com' (this namespace), 'istio-system/*' or '*/api.example.com'."],
    [() => ({ namespace: 'shop', egressHosts: ['./*'], outboundTrafficPolicy: 'DENY' as OutboundTrafficPolicyMode }), "IstioSidecar 'test/S': 'outboundTrafficPolicy' must be one of: ALLOW_ANY, REGISTRY_ONLY (got \"DENY\")."],
  ])('Sidecar refused: %#', (props, message) => {
    const { chart } = targetChart(BOTH);
    expect(() => new IstioSidecar(chart, 'S', props())).toThrow(new NetsecError('INVALID', message));
  });

  test('ServiceEntry refused without hosts or ports; both need Istio', () => {
    const { chart } = targetChart(BOTH);
    expect(() => new IstioServiceEntry(chart, 'A', { name: 'a', namespace: 'shop', hosts: [], ports: [{ port: 443 }] })).toThrow(new NetsecError('INVALID', "IstioServiceEntry 'test/A': 'hosts' is empty; name the external hosts (api.example.com)."));
    expect(() => new IstioServiceEntry(chart, 'B', { name: 'b', namespace: 'shop', hosts: ['a.example.com'], ports: [] })).toThrow(new NetsecError('INVALID', "IstioServiceEntry 'test/B': 'ports' is empty; Istio needs at least one port (443 for HTTPS)."));
    const plain = targetChart({ name: 'p', cilium: '1.17' });
    expect(() => new IstioSidecar(plain.chart, 'S', { namespace: 'shop', egressHosts: ['./*'] })).toThrow(new NetsecError('INVALID', "IstioSidecar 'test/S': needs Istio, but target 'p' names no Istio version."));
  });
});

describe('metadata (labels and annotations)', () => {
  const WAVE = { 'argocd.argoproj.io/sync-wave': '2' };

  test('IstioServiceEntry and IstioSidecar: on the object; .metadata adds more later', () => {
    const { app, chart } = targetChart(BOTH);
    const sidecar = new IstioSidecar(chart, 'Shop', { namespace: 'shop', egressHosts: ['istio-system/*'], metadata: { labels: { team: 'shop' } } });
    const entry = new IstioServiceEntry(chart, 'Api', { name: 'api', namespace: 'shop', hosts: ['api.example.com'], ports: [{ port: 443 }], metadata: { annotations: WAVE } });
    sidecar.metadata.addAnnotation('example.com/owner', 'shop');
    entry.metadata.addLabel('team', 'shop');
    const objects = synthValid(app).objects;
    expect(findOne(objects, 'Sidecar').metadata).toEqual({ name: 'default', namespace: 'shop', labels: { team: 'shop' }, annotations: { 'example.com/owner': 'shop' } });
    expect(findOne(objects, 'ServiceEntry').metadata).toEqual({ name: 'api', namespace: 'shop', labels: { team: 'shop' }, annotations: WAVE });
  });

  test('MeshEgressAllowance: on every object it writes (CiliumNetworkPolicy, each ServiceEntry, the Sidecar)', () => {
    const { app, chart } = targetChart(BOTH);
    new MeshEgressAllowance(chart, 'Api', {
      name: 'egress',
      namespace: 'shop',
      workloads: { app: 'web' },
      hosts: [{ host: 'api.example.com' }, { host: 'status.example.com', port: 80, protocol: ExternalProtocol.HTTP }],
      metadata: { labels: { team: 'shop' }, annotations: WAVE },
    });
    const objects = synthValid(app).objects;
    const written = [findOne(objects, 'CiliumNetworkPolicy'), ...findAll(objects, 'ServiceEntry'), findOne(objects, 'Sidecar')];
    expect(written.map((o) => [o.kind, o.metadata])).toEqual([
      ['CiliumNetworkPolicy', { name: 'egress', namespace: 'shop', labels: { team: 'shop' }, annotations: WAVE }],
      ['ServiceEntry', { name: 'egress', namespace: 'shop', labels: { team: 'shop' }, annotations: WAVE }],
      ['ServiceEntry', { name: 'egress-2', namespace: 'shop', labels: { team: 'shop' }, annotations: WAVE }],
      ['Sidecar', { name: 'egress', namespace: 'shop', labels: { team: 'shop' }, annotations: WAVE }],
    ]);
  });

  test('MeshEgressAllowance: a refusal names the allowance, not one of its objects', () => {
    const { chart } = targetChart(BOTH);
    expect(() => new MeshEgressAllowance(chart, 'Api', { name: 'egress', namespace: 'shop', workloads: { app: 'web' }, hosts: [{ host: 'api.example.com' }], metadata: { labels: { 'netsec.io/team': 'shop' } } })).toThrow(
      "MeshEgressAllowance 'test/Api': metadata.labels key 'netsec.io/team' is under 'netsec.io/', the prefix netsec keeps for its own labels and annotations; use a prefix of your own (e.g. 'example.com/team').",
    );
  });

  test('IstioServiceEntry and IstioSidecar: refusals name the construct', () => {
    const { chart } = targetChart(BOTH);
    expect(() => new IstioSidecar(chart, 'Shop', { namespace: 'shop', egressHosts: ['istio-system/*'], metadata: { labels: { '': 'x' } } })).toThrow(
      "IstioSidecar 'test/Shop': metadata.labels key '' is not a valid label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain.",
    );
    expect(() => new IstioServiceEntry(chart, 'Api', { name: 'api', namespace: 'shop', hosts: ['api.example.com'], ports: [{ port: 443 }], metadata: { annotations: { wave: 2 as unknown as string } } })).toThrow(
      "IstioServiceEntry 'test/Api': metadata.annotations 'wave' must be a string (got number); quote it, e.g. '\"2\"'.",
    );
  });
});
