import { describe, expect, test } from 'vitest';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { NetsecError } from '../../src/core/errors.js';
import { findAll, findOne, synthValid } from '../util.js';

const TARGETS = `targets:
  - name: a
    kubernetes: "1.30"
    cilium: "1.17"
    istio: "1.23"
    cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] }
  - name: c
    kubernetes: "1.30"
    calico: "3.30"
    cluster: { podCidrs: [192.168.0.0/16], serviceCidrs: [10.96.0.0/12] }
`;
const META = `{ labels: { team: net }, annotations: { argocd.argoproj.io/sync-wave: "-1" } }`;
const EXPECTED = { labels: { team: 'net' }, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } };

describe('netsec.yaml metadata: (labels and annotations), as the constructs take it', () => {
  test('every section passes it to its constructs: each object it writes carries it', async () => {
    const config = `${TARGETS}ciliumPolicies:
  - { name: web, namespace: shop, egressDefault: deny, metadata: ${META} }
ciliumCidrGroups:
  - { name: azure-imds, cidrs: [169.254.169.254/32], labels: { team: net }, metadata: ${META} }
egressBlocking:
  - { name: geo, cidrs: [203.0.113.0/24], targets: [a, c], metadata: ${META} }
nodeLocalDns:
  - { metadata: ${META} }
hubbleFlowLogs:
  - { metadata: ${META}, flowLogs: [{ name: all }] }
istio:
  - targets: [a]
    sidecars: { metadata: ${META} }
    peerAuthentications: [{ mode: STRICT, metadata: ${META} }]
    authorizationPolicies: [{ name: allow-get, namespace: foo, matchLabels: { app: sample }, rules: [{ to: [{ methods: [GET] }] }], metadata: ${META} }]
    egressAllowances: [{ name: api, namespace: shop, workloads: { app: web }, hosts: [{ host: api.example.com }], metadata: ${META} }]
`;
    const { objects } = synthValid(await buildApp(parseConfig(config, 'netsec.yaml')));
    const labelled = objects.filter((o) => o.metadata?.labels?.team === 'net');
    const kinds = [...new Set(labelled.map((o) => o.kind))].sort();
    expect(kinds).toEqual([
      'AuthorizationPolicy', 'CiliumCIDRGroup', 'CiliumClusterwideNetworkPolicy', 'CiliumLocalRedirectPolicy', 'CiliumNetworkPolicy', 'ConfigMap', 'DaemonSet',
      'GlobalNetworkPolicy', 'GlobalNetworkSet', 'IstioOperator', 'PeerAuthentication', 'Service', 'ServiceAccount', 'ServiceEntry', 'Sidecar', 'Tier',
    ]);
    // Every object written, not only one per kind: nothing netsec.yaml asked for is left without it.
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).filter((n) => !labelled.some((o) => `${o.kind}/${o.metadata.name}` === n))).toEqual([]);
    for (const o of labelled) expect(o.metadata.annotations, `${o.kind}/${o.metadata.name}`).toEqual(EXPECTED.annotations);
    expect(findOne(objects, 'CiliumNetworkPolicy', 'web').metadata).toEqual({ name: 'web', namespace: 'shop', ...EXPECTED });
    expect(findAll(objects, 'GlobalNetworkSet').map((o) => o.metadata)).toEqual([
      { name: 'geo', labels: { policy: 'geo', 'netsec.io/egress-block': 'geo', team: 'net' }, annotations: EXPECTED.annotations },
    ]);
  });

  test('an unquoted annotation value is a schema error at its line', () => {
    let err: unknown;
    try {
      parseConfig(`${TARGETS}hubbleFlowLogs:\n  - metadata: { annotations: { argocd.argoproj.io/sync-wave: -1 } }\n    flowLogs: [{ name: all }]\n`, 'netsec.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NetsecError);
    expect((err as NetsecError).message).toBe('netsec.yaml:12:62: hubbleFlowLogs[0].metadata.annotations.argocd.argoproj.io/sync-wave is -1, a number; expected a string; quote it: argocd.argoproj.io/sync-wave: "-1"');
  });

  test("a construct's refusal is located at the entry", async () => {
    const config = `${TARGETS}ciliumPolicies:\n  - { name: web, egressDefault: deny, metadata: { labels: { netsec.io/egress-block: geo } } }\n`;
    await expect(buildApp(parseConfig(config, 'netsec.yaml'))).rejects.toThrow(
      "netsec.yaml:12:5: CiliumNetworkPolicy 'default/web': metadata.labels key 'netsec.io/egress-block' is netsec's own: netsec sets it to an egress block's name on the block's objects, so that the block's policy selects only its own CIDR groups or network sets; choose the block by its name instead.",
    );
  });
});
