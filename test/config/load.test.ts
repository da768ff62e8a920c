import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { NetsecError } from '../../src/index.js';

function error(text: string): string {
  try {
    parseConfig(text, 'netsec.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(NetsecError);
    expect((err as NetsecError).code).toBe('CONFIG');
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

describe('netsec.yaml loading', () => {
  test('a valid file loads with its targets', () => {
    const loaded = parseConfig('targets:\n  - name: a\n    cilium: "1.17"\n', 'netsec.yaml');
    expect(loaded.config.targets).toEqual([{ name: 'a', cilium: '1.17' }]);
    expect(loaded.locate('/targets/0/cilium')).toBe('netsec.yaml:3:13');
  });

  test('an unknown top-level key names the key, its line and the keys allowed', () => {
    expect(error('targets:\n  - name: a\negressBlock: {}\n')).toMatch(/^netsec\.yaml:3:1: unknown key 'egressBlock'; expected one of: targets/);
  });

  test('an unknown key inside a target points at the key', () => {
    expect(error('targets:\n  - name: a\n    cilum: "1.17"\n')).toBe(
      "netsec.yaml:3:5: unknown key 'cilum' in targets[0]; expected one of: name, kubernetes, cilium, calico, istio, applyMode, suppress, cluster; did you mean 'cilium'?",
    );
  });

  test('a wrong type names the place as it is written, the value found and the type expected', () => {
    expect(error('targets:\n  - name: a\n    cluster:\n      nodeLocalDns: "yes"\n')).toBe('netsec.yaml:4:21: targets[0].cluster.nodeLocalDns is "yes", a string; expected true or false; write true or false here');
  });

  test('an unquoted version is a number to YAML: the message shows it as written and how to quote it', () => {
    expect(error('targets:\n  - name: a\n    kubernetes: 1.30\n    cilium: 1.17\n')).toBe(
      'netsec.yaml:3:17: targets[0].kubernetes is 1.3, a number (unquoted, YAML reads 1.30 as 1.3); expected a string; quote it: kubernetes: "1.30"\n' +
        'netsec.yaml:4:13: targets[0].cilium is 1.17, a number; expected a string; quote it: cilium: "1.17"\n' +
        '2 problems in netsec.yaml; fix them and run again.',
    );
  });

  test('an empty file, or one of comments only, says so', () => {
    const expected = 'netsec.yaml: the file holds no settings (it is empty, or only comments); expected a map with targets: and the sections to build for them; start from the bundled netsec.yaml';
    expect(error('')).toBe(expected);
    expect(error('# targets come later\n')).toBe(expected);
  });

  test('an empty list where at least one item is needed', () => {
    expect(error('targets: []\n')).toBe('netsec.yaml:1:10: targets has 0 items; expected at least 1; add one');
  });

  test('an entry that needs one of two keys and has neither is one problem, not one per key', () => {
    expect(error('targets:\n  - name: a\negressBlocking:\n  - name: geo\n')).toBe("netsec.yaml:4:5: egressBlocking[0] has none of 'cidrs', 'feeds'; expected at least one of them; add one");
  });

  test('a version that is not a version', () => {
    expect(error('targets:\n  - name: a\n    cilium: latest\n')).toBe('netsec.yaml:3:13: targets[0].cilium is "latest"; expected a version line such as "1.17" or a version such as "1.17.3", quoted; fix the value');
  });

  test('a wrong enum value lists the allowed ones', () => {
    expect(error('targets:\n  - name: a\n    applyMode: server\n')).toBe('netsec.yaml:3:16: targets[0].applyMode is "server"; expected one of: "client-side", "server-side"; use one of them');
  });

  test('a missing required key', () => {
    expect(error('targets:\n  - cilium: "1.17"\n')).toBe("netsec.yaml:2:5: targets[0] has no 'name'; expected name: to be given; add it");
  });

  test('duplicate target names', () => {
    expect(error('targets:\n  - name: a\n  - name: a\n')).toBe(
      "netsec.yaml:3:11: targets[1].name is 'a', like targets[0] (netsec.yaml:2:11); expected a unique name per target (each names its folder dist/<name>/); rename one",
    );
  });

  test('invalid YAML names the line and column', () => {
    expect(error('targets:\n  - name: a\n   bad: [\n')).toMatch(/^netsec\.yaml:3:\d+: invalid YAML: /);
  });

  test('every pattern of netsec.schema.json has words for messages', async () => {
    const { PATTERN_WORDS } = await import('../../src/config/load.js');
    const schema = JSON.parse((await import('node:fs')).readFileSync(`${__dirname}/../../netsec.schema.json`, 'utf8')) as unknown;
    const patterns = new Set<string>();
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        const o = n as Record<string, unknown>;
        if (typeof o.pattern === 'string') patterns.add(o.pattern);
        Object.values(o).forEach(walk);
      }
    };
    walk(schema);
    expect([...patterns].filter((p) => !(p in PATTERN_WORDS))).toEqual([]);
  });

  test('problems come in the order of the file, as an editor walks it', () => {
    expect(error('targets:\n  - name: a\n    kubernetes: "1.30"\n    cilium: 1.20\negressBlocking:\n  - name: geo\n    cidr: [192.0.2.0/24]\n').split('\n').map((l) => l.split(': ')[0])).toEqual([
      'netsec.yaml:4:13',
      'netsec.yaml:6:5',
      'netsec.yaml:7:5',
      '3 problems in netsec.yaml; fix them and run again.',
    ]);
  });

  test('a list that names an item twice, and a key that needs another beside it', () => {
    const T = 'targets:\n  - { name: a, kubernetes: "1.30", istio: "1.23" }\n';
    expect(error(`${T}egressBlocking:\n  - name: geo\n    cidrs: [192.0.2.0/24]\n    targets: [a, a]\n`)).toBe(
      'netsec.yaml:6:14: egressBlocking[0].targets lists "a" twice (items 1 and 0); expected each item once; remove one',
    );
    expect(error(`${T}istio:\n  - peerAuthentications:\n      - { name: x, mode: STRICT, matchLabels: { app: a } }\n`)).toBe(
      "netsec.yaml:5:9: istio[0].peerAuthentications[0] has 'matchLabels' without 'namespace'; expected namespace: with it; add it",
    );
  });

  test('a key left without a value is empty, not "null, null"', () => {
    expect(error('targets:\n  - name: a\n    kubernetes:\n')).toBe('netsec.yaml:3:16: targets[0].kubernetes is empty (null); expected a string; write a string here, or remove the key');
  });

  test('one value where a list belongs: the fix shows it as a list', () => {
    expect(error('targets:\n  - name: a\negressBlocking:\n  - name: geo\n    targets: a\n    cidrs: [192.0.2.0/24]\n')).toBe(
      'netsec.yaml:5:14: egressBlocking[0].targets is "a", a string; expected a list; write it as one: targets: [a]',
    );
  });
});
