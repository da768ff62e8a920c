import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { emitYaml } from '../../src/core/yaml-emitter.js';

// JSON values as Kubernetes objects hold them (no -0: JSON has none).
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
/**
 * Strings a YAML 1.1 or 1.2 reader resolves to something else when written plain (yaml.org/type: bool, null, int,
 * float, timestamp, merge, value; the 1.2 core schema), and strings that are special to the emitter.
 */
const TRICKY_VALUES = [
  // booleans and nulls, in every case a reader might accept
  'yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'y', 'Y', 'n', 'N', 'true', 'True', 'TRUE', 'false', 'FALSE', 'null', 'Null', 'NULL', '~',
  // special floats
  '.inf', '.Inf', '+.inf', '-.INF', '.nan', '.NaN', '.NAN',
  // ints: decimal, octal (1.1 '012', 1.2 '0o17'), hex, binary, with '_'
  '0', '012', '0o17', '0o7', '0x1f', '0x_1F', '-0x1', '0b101', '0b1_0', '1_000', '+12', '-0',
  // floats: exponents, '_', the 1.1 float's '[0-9.]*' tail, a lone dot
  '1e3', 'e5', '1.', '.5', '._5', '1_0.5', '1.2.3', '10.0.0.1', '.', '..', '6.8523015e+5',
  // base 60 (1.1)
  '1:20', '190:20:30', '190:20:30.15', '-1:20', '1:20.5',
  // timestamps (1.1): date, canonical, iso8601, space separated, go-yaml's one-digit month and day
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-12-15T02:59:43.1Z', '2026-01-31T00:00:00Z', '2002-1-2', '2002-12-14t',
  // merge and value keys (1.1)
  '<<', '=', '<<a', '=a',
  // emitter specials: indicators, blanks, line breaks, prefixes (the fast path)
  '-', '- a', 'a: b', 'a:', '#x', ' lead', 'trail ', '', '10.0.0.0/8', '2001:db8::/32', '::/0', '0b1/2', '0x1/8', '0o7/3', '1:20/3', 'b00::/8', '*.example.com', 'line\n', 'a\n\n', 'x\r\ny', '  indented\nblock\n', '\ttab',
];
const tricky = fc.constantFrom(...TRICKY_VALUES);
/** Short strings over the characters numbers, timestamps and booleans are made of: finds the forms the list misses. */
const numberish = fc.string({ unit: fc.constantFrom(...'0123456789.-+_:eExXoObBtTZ yYnN'.split('')), minLength: 1, maxLength: 12 });

/** Parses `text` as YAML 1.1 and as YAML 1.2 and asserts both give `value` back. */
function expectRoundTrip(text: string, value: unknown): void {
  expect(parse(text)).toEqual(value);
  expect(parse(text, { version: '1.1' })).toEqual(value);
}

describe('emitYaml', () => {
  test('round-trips any JSON value through the yaml parser (YAML 1.2)', () => {
    fc.assert(fc.property(json, (v) => {
        expect(parse(emitYaml(v))).toEqual(v);
      }), { numRuns: 400 });
  });

  test('round-trips strings that YAML 1.1 or 1.2 would read as something else', () => {
    fc.assert(
      fc.property(fc.array(tricky), fc.dictionary(tricky, tricky), (arr, obj) => {
        expectRoundTrip(emitYaml({ arr, obj }), { arr, obj });
      }),
      { numRuns: 300 },
    );
  });

  test('every tricky value comes back as the same string, as a value, a list item and a key, under YAML 1.1 and 1.2', () => {
    for (const v of TRICKY_VALUES) {
      expectRoundTrip(emitYaml({ v, list: [v], nested: { [v]: v } }), { v, list: [v], nested: { [v]: v } });
      expectRoundTrip(emitYaml(v), v);
    }
  });

  test('round-trips short strings made of number, date and boolean characters under YAML 1.1 and 1.2', () => {
    fc.assert(
      fc.property(fc.array(numberish), fc.dictionary(numberish, numberish), (arr, obj) => {
        expectRoundTrip(emitYaml({ arr, obj }), { arr, obj });
      }),
      { numRuns: 1000 },
    );
  });

  test.each([
    ['2001-12-14', '"2001-12-14"'],
    ['2001-12-14t21:59:43.10-05:00', '"2001-12-14t21:59:43.10-05:00"'],
    ['2001-12-14 21:59:43.10 -5', '"2001-12-14 21:59:43.10 -5"'],
    ['2002-1-2', '"2002-1-2"'],
    ['190:20:30', '"190:20:30"'],
    ['1:20', '"1:20"'],
    ['YES', '"YES"'],
    ['yEs', '"yEs"'],
    ['.', '"."'],
    ['e5', '"e5"'],
    ['1.2.3', '"1.2.3"'],
    ['0o17', '"0o17"'],
    ['0b101', '"0b101"'],
    ['1_000', '"1_000"'],
    ['<<', '"<<"'],
    ['=', '"="'],
    ['2001-12-14x', '2001-12-14x'],
    ['v1.2.3', 'v1.2.3'],
    ['yesterday', 'yesterday'],
    ['10.0.0.0/8', '10.0.0.0/8'],
  ])('writes %j as %s', (value, written) => {
    expect(emitYaml({ v: value })).toBe(`v: ${written}\n`);
    expect(emitYaml({ [value]: 1 })).toBe(`${written}: 1\n`);
  });

  test('round-trips lists of prefix-like strings (the one-join fast path) under YAML 1.1 and 1.2', () => {
    const prefixLike = fc.stringMatching(/^[0-9a-fA-FxXoObB:.]{1,12}\/[0-9]{1,3}$/);
    fc.assert(
      fc.property(fc.array(prefixLike, { minLength: 1 }), fc.array(fc.oneof(prefixLike, tricky)), (prefixes, mixed) => {
        for (const arr of [prefixes, mixed]) expectRoundTrip(emitYaml({ arr }), { arr });
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
