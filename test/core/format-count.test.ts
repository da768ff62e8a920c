import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount } from '../../src/core/errors.js';

// The oracle is ICU's en-US number formatting, which formatCount stands in for (it is not loaded at start-up).
describe('formatCount', () => {
  it('writes every safe integer as toLocaleString("en-US") does', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes every bigint as toLocaleString("en-US") does, far beyond 2^53 (IPv6 address counts)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }), (n) => {
        expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
      }),
    );
    expect(formatCount(1n << 128n)).toBe('340,282,366,920,938,463,463,374,607,431,768,211,456');
  });

  it('groups at each power of ten where a separator appears', () => {
    expect([0, 7, 999, 1000, 16384, 999999, 1000000, 1048576, -1000].map(formatCount)).toEqual([
      '0', '7', '999', '1,000', '16,384', '999,999', '1,000,000', '1,048,576', '-1,000',
    ]);
  });

  it('writes a value from a manifest that is no safe integer as String does, never throwing', () => {
    expect([100.5, Number.NaN, Infinity, 1e21, 2 ** 60].map(formatCount)).toEqual(['100.5', 'NaN', 'Infinity', '1e+21', '1152921504606847000']);
  });
});
