/** The policy set shared by the policy-synth, scale and lint benches. */
import { App } from 'cdk8s';
import {
  CiliumNetworkPolicy,
  DnsAccess,
  EndpointSelector,
  HttpRule,
  NetsecChart,
  NodeLocalDnsCache,
  Peer,
  PolicyDefault,
  Port,
  Target,
} from '../src/index.js';

/**
 * `count` Cilium policies of the four seed shapes, FQDN (seed 004), L7 HTTP (seed 003), pods + ports, deny-all
 * (seed 001), in 50 namespaces, beside a NodeLocal DNSCache chart; one Cilium 1.17 target.
 */
export function buildPolicies(count: number): { app: App; chart: NetsecChart; target: Target } {
  const app = new App({ outdir: 'unused' });
  const target = new Target({ name: 'bench', kubernetes: '1.30', cilium: '1.17' });
  new NodeLocalDnsCache(new NetsecChart(app, 'dns', { target }), 'Cache');
  const chart = new NetsecChart(app, 'policies', { target });
  for (let i = 0; i < count; i++) {
    const id = `Policy${i}`;
    const selector = EndpointSelector.labels({ app: `app-${i}` });
    switch (i % 4) {
      case 0:
        new CiliumNetworkPolicy(chart, id, { namespace: `ns-${i % 50}`, endpointSelector: selector })
          .allowEgress({ to: [Peer.fqdn(`api-${i}.example.com`), Peer.fqdnPattern(`*.cdn-${i}.example.com`)], ports: [Port.tcp(443)] });
        break;
      case 1:
        new CiliumNetworkPolicy(chart, id, { namespace: `ns-${i % 50}`, endpointSelector: selector })
          .allowIngress({ from: [Peer.podsInPolicyNamespace({ org: 'client-pod' })], ports: [Port.tcp(8080)], http: [HttpRule.get(`/discount/${i}`), HttpRule.of({ method: 'POST', path: '/orders' })] });
        break;
      case 2:
        new CiliumNetworkPolicy(chart, id, { namespace: `ns-${i % 50}`, endpointSelector: selector })
          .allowEgress({ to: [Peer.podsInNamespace('payments', { app: 'api' }), Peer.podsInAllNamespaces({ app: 'otel' })], ports: [Port.tcp(4317), Port.tcpRange(9000, 9100)] });
        break;
      default:
        new CiliumNetworkPolicy(chart, id, { namespace: `ns-${i % 50}`, endpointSelector: selector, egressDefault: PolicyDefault.DENY, dns: DnsAccess.NONE });
    }
  }
  return { app, chart, target };
}
