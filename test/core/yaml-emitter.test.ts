import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { emitYaml } from '../../src/core/yaml-emitter.js';

// JSON values as Kubernetes objects hold them (no -0: JSON has none).
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const tricky = fc.constantFrom('yes', 'no', 'on', 'off', 'y', 'N', 'true', 'Null', '~', '1:20', '0x1f', '1e3', '.5', '-', '- a', 'a: b', 'a:', '#x', ' lead', 'trail ', '', '10.0.0.0/8', '2001:db8::/32', '::/0', '0b1/2', '0x1/8', '0o7/3', '1:20/3', 'b00::/8', '*.example.com', 'line\n', 'a\n\n', 'x\r\ny', '  indented\nblock\n', '\ttab');

describe('emitYaml', () => {
  test('round-trips any JSON value through the yaml parser (YAML 1.2)', () => {
    fc.assert(fc.property(json, (v) => {
        expect(parse(emitYaml(v))).toEqual(v);
      }), { numRuns: 400 });
  });

  test('round-trips strings that YAML 1.1 or 1.2 would read as something else', () => {
    fc.assert(
      fc.property(fc.array(tricky), fc.dictionary(tricky, tricky), (arr, obj) => {
        expect(parse(emitYaml({ arr, obj }))).toEqual({ arr, obj });
        expect(parse(emitYaml({ arr, obj }), { version: '1.1' })).toEqual({ arr, obj });
      }),
      { numRuns: 300 },
    );
  });

  test('round-trips lists of prefix-like strings (the one-join fast path) under YAML 1.1 and 1.2', () => {
    const prefixLike = fc.stringMatching(/^[0-9a-fA-FxXoObB:.]{1,12}\/[0-9]{1,3}$/);
    fc.assert(
      fc.property(fc.array(prefixLike, { minLength: 1 }), fc.array(fc.oneof(prefixLike, tricky)), (prefixes, mixed) => {
        for (const arr of [prefixes, mixed]) {
          expect(parse(emitYaml({ arr }))).toEqual({ arr });
          expect(parse(emitYaml({ arr }), { version: '1.1' })).toEqual({ arr });
        }
      }),
      { numRuns: 300 },
    );
  });

  test('writes Kubernetes objects the way the yaml library does', () => {
    const obj = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'egress-traffic-blocking', labels: { policy: 'egress-traffic-blocking' } },
      spec: { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupRef: 'egress-traffic-blocking' }] }], ports: [{ port: '53', protocol: 'UDP' }] },
      data: { Corefile: 'cluster.local:53 {\n    errors\n}\n' },
      cidrs: { externalCIDRs: ['10.0.0.0/8', '192.0.2.1/32', '2001:db8::/32', 'fe80::1/128'] },
    };
    expect(emitYaml(obj)).toBe(stringify(obj, { lineWidth: 0 }));
  });
});
