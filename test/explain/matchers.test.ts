import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { EvaluationInput, KubeObject, NetsecMatchers, netsecMatchers, scenarioFromObject } from '../../src/explain/index.js';
import { CiliumNetworkPolicy, EndpointSelector, NetsecChart, Peer, Port, PolicyDefault, Target } from '../../src/index.js';

declare module 'vitest' {
  interface Assertion<T> extends NetsecMatchers<T> {}
}
expect.extend(netsecMatchers);

describe('vitest matchers over a cdk8s chart', () => {
  const scenario = scenarioFromObject({
    target: { kubernetes: '1.30', cilium: '1.17' },
    manifests: [],
    cluster: { pods: [{ name: 'web', namespace: 'default', labels: { app: 'web' } }] },
    flows: [
      { name: 'web to 1.1.1.1:443', from: 'default/web', to: { ip: '1.1.1.1' }, port: 443 },
      { name: 'web to 1.1.1.1:80', from: 'default/web', to: { ip: '1.1.1.1' }, port: 80 },
    ],
  });

  function input(): EvaluationInput {
    const app = new App({ outdir: 'unused' });
    const chart = new NetsecChart(app, 'policies', { target: new Target({ name: 't', kubernetes: '1.30', cilium: '1.17' }) });
    new CiliumNetworkPolicy(chart, 'Web', { namespace: 'default', endpointSelector: EndpointSelector.labels({ app: 'web' }), egressDefault: PolicyDefault.DENY })
      .allowEgress({ to: [Peer.cidr('1.1.1.1/32')], ports: [Port.tcp(443)] });
    return { objects: chart.toJson() as KubeObject[], cluster: scenario.cluster, versions: { kubernetes: '1.30', cilium: '1.17' } };
  }

  test('toAllow and toDrop judge the chart\'s own output', () => {
    const net = input();
    expect(net).toAllow(scenario.flows[0]!);
    expect(net).toDrop(scenario.flows[1]!, 'POLICY_DENIED');
    expect(net).not.toDrop(scenario.flows[1]!, 'POLICY_DENY');
  });

  test('a failing matcher prints the verdict and the explanation', () => {
    const r = netsecMatchers.toAllow(input(), scenario.flows[1]!);
    expect(r.pass).toBe(false);
    expect(r.message()).toBe([
      "expected 'web to 1.1.1.1:80' to be FORWARDED; got",
      'web to 1.1.1.1:80: DROPPED (POLICY_DENIED 133) by default',
      '  cilium-egress: egress of default/web to 1.1.1.1 (world) on 80/TCP: selected by CiliumNetworkPolicy/default/web; CiliumNetworkPolicy/default/web puts it in egress default-deny, and no rule allows this',
    ].join('\n'));
  });
});
