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
      "netsec.yaml:3:5: unknown key 'cilum'; expected one of: name, kubernetes, cilium, calico, istio, applyMode, suppress, cluster",
    );
  });

  test('a wrong type names the path, the value found and the type expected', () => {
    expect(error('targets:\n  - name: a\n    cluster:\n      nodeLocalDns: "yes"\n')).toBe('netsec.yaml:4:21: /targets/0/cluster/nodeLocalDns is "yes" but it should be of type boolean');
  });

  test('a version that is not a version', () => {
    expect(error('targets:\n  - name: a\n    cilium: latest\n')).toBe('netsec.yaml:3:13: /targets/0/cilium is "latest" but it should match ^v?\\d+\\.\\d+(\\.\\d+)?$');
  });

  test('a wrong enum value lists the allowed ones', () => {
    expect(error('targets:\n  - name: a\n    applyMode: server\n')).toBe('netsec.yaml:3:16: /targets/0/applyMode is "server" but it should be one of: "client-side", "server-side"');
  });

  test('a missing required key', () => {
    expect(error('targets:\n  - cilium: "1.17"\n')).toBe("netsec.yaml:2:5: /targets/0 is missing 'name', which is required");
  });

  test('duplicate target names', () => {
    expect(error('targets:\n  - name: a\n  - name: a\n')).toBe(
      "netsec.yaml:3:11: targets[1].name is 'a', like targets[0] (netsec.yaml:2:11); expected a unique name per target (each names its folder dist/<name>/); rename one",
    );
  });

  test('invalid YAML names the line and column', () => {
    expect(error('targets:\n  - name: a\n   bad: [\n')).toMatch(/^netsec\.yaml:3:\d+: invalid YAML: /);
  });
});
