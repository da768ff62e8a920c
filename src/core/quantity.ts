// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource, quantity.go; the grammar of the API reference
// page "Quantity"): <sign><number><suffix>, the suffix a binary SI unit (Ki..Ei), a decimal SI unit (n, u, m, "", k, M,
// G, T, P, E) or a decimal exponent (e3, E-2). Only what netsec needs: to read a value and compare two.

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;
const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The value of a quantity string (`'25m'` is 0.025, `'5Mi'` 5242880), or undefined when it is not one. */
export function parseQuantity(text: string): number | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix = ''] = m;
  let value = Number(number);
  if (Object.hasOwn(BINARY, suffix)) value *= 2 ** BINARY[suffix]!;
  else if (Object.hasOwn(DECIMAL, suffix)) value *= 10 ** DECIMAL[suffix]!;
  else if (suffix) value *= 10 ** Number(suffix.slice(1));
  return sign === '-' ? -value : value;
}
