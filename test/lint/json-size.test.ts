import fc from 'fast-check';
import { expect, test } from 'vitest';
import { jsonByteLength } from '../../src/lint/rules/k8s.js';

test('jsonByteLength is the UTF-8 length of JSON.stringify, for any JSON value and for values JSON leaves out or nulls', () => {
  const odd = fc.constantFrom(undefined, () => 1, Symbol('s'), Number.NaN, -0, Number.POSITIVE_INFINITY, new Date(0));
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary' }), odd),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 6 }), fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 6 })),
  })).node;
  fc.assert(
    fc.property(value, (v) => {
      expect(jsonByteLength(v)).toBe(Buffer.byteLength(JSON.stringify(v) ?? ''));
    }),
    { numRuns: 500 },
  );
});
