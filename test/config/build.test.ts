import { IConstruct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { pointerToPath } from '../../src/core/validation/finding.js';
import { constructId } from '../../src/config/section.js';
import { NetsecError } from '../../src/core/errors.js';
import { sourceOf } from '../../src/core/source.js';

const CONFIG = `targets:
  - name: a
    kubernetes: "1.30"
    cilium: "1.17"
    istio: "1.23"
    cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] }
ciliumPolicies:
  - name: first
    egressDefault: deny
  - name: second
    namespace: shop
    egressDefault: deny
istio:
  - peerAuthentications:
      - { mode: STRICT }
      - { mode: PERMISSIVE, namespace: legacy }
`;

function byPath(root: IConstruct, path: string): IConstruct {
  const found = root.node.findAll().find((c) => c.node.path === path);
  expect(found, path).toBeDefined();
  return found!;
}

describe('buildApp records where each construct was written', () => {
  test("an entry's constructs carry the entry's netsec.yaml line and column; list items their own", async () => {
    const app = await buildApp(parseConfig(CONFIG, 'infra/netsec.yaml'));
    expect(sourceOf(byPath(app, 'a-cilium-policies/Cnp-default:first'))).toEqual({ file: 'netsec.yaml', line: 8, column: 5 });
    // Children (the L1 object) find it through their parent.
    expect(sourceOf(byPath(app, 'a-cilium-policies/Cnp-shop:second/Resource'))).toEqual({ file: 'netsec.yaml', line: 10, column: 5 });
    expect(sourceOf(byPath(app, 'a-istio/PeerAuthentication-istio-system:default'))).toEqual({ file: 'netsec.yaml', line: 15, column: 9 });
    expect(sourceOf(byPath(app, 'a-istio/PeerAuthentication-legacy:default'))).toEqual({ file: 'netsec.yaml', line: 16, column: 9 });
  });

  test("an error a construct throws while building entry N gets that entry's location", async () => {
    const config = 'targets:\n  - name: old\n    calico: "3.28"\negressBlocking:\n  - name: geo\n    cidrs: [203.0.113.0/24]\n  - name: tiered\n    cidrs: [203.0.113.0/24]\n    calico: { design: tiered }\n';
    const err = await buildApp(parseConfig(config, 'netsec.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetsecError);
    expect((err as NetsecError).location).toEqual({ file: 'netsec.yaml', line: 7, column: 5 });
    expect((err as NetsecError).message).toBe("netsec.yaml:7:5: CalicoEgressBlock 'tiered': Calico policy tiers (Tier, spec.tier) needs Calico 3.30 or later; target 'old' runs Calico 3.28.");
  });

  test('a target the constructor refuses is located at its entry', async () => {
    const err = await buildApp(parseConfig('targets:\n  - name: a\n    cilium: "1.10"\n', 'netsec.yaml')).catch((e: unknown) => e);
    expect((err as NetsecError).message).toBe("netsec.yaml:2:5: target 'a': Cilium 1.10 is not supported; supported lines are 1.16 to 1.20.");
  });
});

describe('helpers', () => {
  test('constructId keeps parts apart whatever they contain', () => {
    expect(constructId('Cnp', 'shop', 'web')).toBe('Cnp-shop:web');
    expect(constructId('Cnp', 'a-b', 'c')).not.toBe(constructId('Cnp', 'a', 'b-c'));
    expect(constructId('Cnp', 'a:b', 'c')).not.toBe(constructId('Cnp', 'a', 'b:c'));
    expect(constructId('Cnp', 'a/b', 'c')).toBe('Cnp-a%2fb:c');
    expect(constructId('Cnp', 'a%2fb', 'c')).toBe('Cnp-a%252fb:c');
  });

  test('pointerToPath names a place as a reader of netsec.yaml finds it', () => {
    expect(pointerToPath('/egressBlocking/0/targets/1')).toBe('egressBlocking[0].targets[1]');
    expect(pointerToPath('/istio/2')).toBe('istio[2]');
    expect(pointerToPath('/a~1b/0')).toBe('a/b[0]');
  });
});
