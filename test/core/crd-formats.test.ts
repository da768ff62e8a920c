import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const root = join(__dirname, '..', '..');
const requireCjs = createRequire(import.meta.url);
const formats = requireCjs('../../scripts/crd-formats.cjs') as { cidr(t: string): boolean; plainPrefix(t: string): boolean };

/**
 * The CRDs' `format: cidr` as the API server checks it (Go's net.ParseCIDR): an IPv4 or IPv6 address without a zone,
 * '/', a decimal length within the family. Node's own address checks, independent of netsec's code.
 */
function parseCidrAccepts(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const len = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len)) return false;
  if (isIPv4(addr)) return Number(len) <= 32;
  return isIPv6(addr) && !addr.includes('%') && Number(len) <= 128;
}

describe('the cidr format of the CRD validators', () => {
  test('the copy shipped in schemas/ is scripts/crd-formats.cjs', () => {
    expect(readFileSync(join(root, 'schemas', 'crd-formats.cjs'), 'utf8')).toBe(readFileSync(join(root, 'scripts', 'crd-formats.cjs'), 'utf8'));
  });

  test('agrees with ParseCIDR on prefixes of every form, and the fast path accepts only what ParseCIDR accepts', () => {
    const prefix = fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), fc.integer({ min: 0, max: 140 }), fc.constantFrom('', '0', '/'))
      .map(([a, l, pad]) => `${a}/${pad === '0' ? '0' : ''}${l}${pad === '/' ? '/' : ''}`);
    const junk = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:./%'.split('')), maxLength: 45 });
    fc.assert(
      fc.property(fc.oneof(prefix, junk), (text) => {
        expect(formats.cidr(text), text).toBe(parseCidrAccepts(text));
        if (formats.plainPrefix(text)) expect(parseCidrAccepts(text), text).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  test('the fast path takes the plain forms netsec writes', () => {
    for (const t of ['0.0.0.0/0', '203.0.113.0/24', '255.255.255.255/32', '::/0', '2001:db8::/32', '2009:9962:a9c5:9a2f::f1e3/128', '1:2:3:4:5:6:7:8/128']) {
      expect(formats.plainPrefix(t), t).toBe(true);
    }
    for (const t of ['010.0.0.0/8', '10.0.0.0/08', '::ffff:1.2.3.4/128', 'fe80::1%eth0/64', '1::2::3/64', '2001:db8::', '2001:db8::/129']) {
      expect(formats.plainPrefix(t), t).toBe(false);
    }
  });
});
