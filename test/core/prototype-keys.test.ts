import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EndpointSelector, NetsecError } from '../../src/index.js';
import { selectorMatches } from '../../src/lint/selectors.js';
import { run } from '../cli/run.js';
import { tempDir } from '../util.js';

// Keys that are names of Object.prototype ('constructor', 'toString', ...) are valid Kubernetes label keys (domain-notes
// §B.1). A plain object answers them even when it has no such entry, which made `Exists` match every pod and crashed
// validate on `kind: constructor`. Expected verdicts follow Kubernetes selector semantics: only labels the pod has count.

const PROTOTYPE_KEYS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

describe('selectors see only the labels a pod has', () => {
  test.each(PROTOTYPE_KEYS)('%s: Exists does not match, DoesNotExist does, In does not', (key) => {
    expect(selectorMatches({ matchExpressions: [{ key, operator: 'Exists' }] }, { app: 'a' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key, operator: 'DoesNotExist' }] }, { app: 'a' })).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key, operator: 'In', values: ['x'] }] }, { app: 'a' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key, operator: 'Exists' }] }, { [key]: 'x' })).toBe(true);
  });
});

const MANIFESTS = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: exists, namespace: default }
spec:
  endpointSelector: { matchExpressions: [ { key: constructor, operator: Exists } ] }
  egress: [ { toCIDR: [1.1.1.1/32] } ]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: dne, namespace: other }
spec:
  endpointSelector: { matchExpressions: [ { key: toString, operator: DoesNotExist } ] }
  egress: [ { toCIDR: [1.1.1.1/32] } ]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: knp, namespace: third }
spec:
  podSelector: { matchExpressions: [ { key: hasOwnProperty, operator: Exists } ] }
  policyTypes: [Egress]
`;

const SCENARIO = `target: { kubernetes: "1.30", cilium: "1.18" }
manifests: [m.yaml]
cluster:
  pods:
    - { name: a, namespace: default, labels: { app: a } }
    - { name: b, namespace: other, labels: { app: b } }
    - { name: c, namespace: third, labels: { app: c } }
flows:
  - { name: no constructor label, from: default/a, to: { ip: 1.1.1.2 }, port: 80, expect: { verdict: FORWARDED } }
  - { name: no toString label, from: other/b, to: { ip: 1.1.1.2 }, port: 80, expect: { verdict: DROPPED, dropReason: POLICY_DENIED } }
  - { name: no hasOwnProperty label, from: third/c, to: { ip: 1.1.1.2 }, port: 80, expect: { verdict: FORWARDED } }
`;

describe('the CLI on prototype-named keys', () => {
  test('netsec test: Exists and DoesNotExist on constructor/toString/hasOwnProperty judge only real labels', async () => {
    const dir = tempDir('netsec-proto-');
    writeFileSync(join(dir, 'm.yaml'), MANIFESTS);
    writeFileSync(join(dir, 's.yaml'), SCENARIO);
    const r = await run('test', join(dir, 's.yaml'));
    expect(r.stdout).toContain('3 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  test('netsec validate: a kind named constructor is an unknown kind, not a crash', async () => {
    const dir = tempDir('netsec-proto-');
    writeFileSync(join(dir, 'k.yaml'), 'apiVersion: v1\nkind: constructor\nmetadata:\n  name: x\n');
    const r = await run('validate', join(dir, 'k.yaml'), '--cilium', '1.18', '--kubernetes', '1.30');
    expect(r.stdout + r.stderr).toContain('k.yaml:1:1: note: v1 constructor not checked: netsec has no schema for it; the lint rules still see it');
    expect(r.code).toBe(0);
  });

  test('netsec validate: Helm values named constructor or toString are unknown values, not functions', async () => {
    const dir = tempDir('netsec-proto-');
    writeFileSync(join(dir, 'cilium-values.yaml'), 'constructor: true\n');
    const r = await run('validate', join(dir, 'cilium-values.yaml'), '--cilium', '1.18', '--kubernetes', '1.30');
    expect(r.stdout + r.stderr).toContain('cilium-values.yaml:1:1: constructor: is not a Helm value netsec writes for the Cilium 1.18 chart;');
    expect(r.code).toBe(1);
  });

  test('netsec synth: a label key cdk8s cannot write is refused at the key, and nothing is written', async () => {
    const dir = tempDir('netsec-proto-');
    writeFileSync(join(dir, 'netsec.yaml'), `targets:
  - { name: lab, kubernetes: "1.30", cilium: "1.18" }
ciliumPolicies:
  - name: p
    endpointSelector: { matchLabels: { constructor: x } }
    egress:
      - to: { cidrs: [1.1.1.0/24] }
`);
    const r = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', join(dir, 'out'));
    expect(r.stderr).toContain("netsec.yaml:5:40: EndpointSelector {constructor=x}: label key 'constructor': cdk8s, which renders netsec's objects, takes a map entry named 'constructor' for the object's class and cannot write it; use another key.");
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

test('the library refuses a constructor label key with a NetsecError', () => {
  expect(() => EndpointSelector.labels({ constructor: 'x' })).toThrow(NetsecError);
  expect(() => EndpointSelector.labels({ toString: 'x' })).not.toThrow();
});

test('netsec validate: a hand-written selector with the label key constructor is valid (netsec does not render it)', async () => {
  const dir = tempDir('netsec-proto-');
  writeFileSync(join(dir, 'p.yaml'), 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: default}\nspec:\n  endpointSelector: {matchLabels: {constructor: x}}\n  egress: [{toEntities: [world]}]\n');
  const r = await run('validate', join(dir, 'p.yaml'), '--cilium', '1.18', '--kubernetes', '1.30');
  expect(r.stdout + r.stderr).not.toContain('cdk8s');
  expect(r.code).toBe(0);
});
