import { expect, test } from 'vitest';
import { parseQuantity } from '../../src/core/quantity.js';

// Pairs that the Kubernetes API reference ("Quantity", canonical form) gives as the same value: 1.5 is serialized
// as 1500m, 1.5Gi as 1536Mi; and the units' definitions (k = 10^3, Ki = 2^10, m = 10^-3, e3 = 10^3).
test('quantities that Kubernetes serializes as one another have one value', () => {
  expect(parseQuantity('1.5')).toBe(parseQuantity('1500m'));
  expect(parseQuantity('1.5Gi')).toBe(parseQuantity('1536Mi'));
  expect(parseQuantity('1k')).toBe(parseQuantity('1e3'));
  expect(parseQuantity('1Ki')).toBe(1024);
  expect(parseQuantity('-1')).toBe(-1);
  expect(parseQuantity('.5')).toBe(0.5);
});

test('what is not a quantity', () => {
  for (const text of ['lots', '1KB', '1 Mi', '', '1.2.3', 'Mi', '1ki']) expect(parseQuantity(text)).toBeUndefined();
});
