import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddressCount, formatCount, formatIPv4, formatIPv6, toCidrSet } from '../../src/cidr/index.js';
import { MAX_IPV6_PREFIX_BYTES, writeIPv6Prefix } from '../../src/cidr/format.js';

describe('canonical text', () => {
  it('IPv6 follows RFC 5952', () => {
    expect(formatIPv6(0x20010db8, 0, 0, 1)).toBe('2001:db8::1'); // longest run compressed
    expect(formatIPv6(0x20010db8, 0, 1, 1)).toBe('2001:db8::1:0:1'); // §4.2.2 one group is not compressed…
    expect(formatIPv6(0x20010db8, 0x00000001, 0x00010001, 0x00010001)).toBe('2001:db8:0:1:1:1:1:1'); // …so no '::' here
    expect(formatIPv6(0x20010000, 0x00010000, 0, 0x00010000)).toBe('2001:0:1:0:0:0:1:0'.replace('0:0:0', ':').replace(':::', '::'));
    expect(formatIPv6(0x20010db8, 0x00000000, 0x00010000, 0x00000001)).toBe('2001:db8::1:0:0:1'); // §4.2.3 leftmost on ties
    expect(formatIPv6(0, 0, 0, 0)).toBe('::');
    expect(formatIPv6(0, 0, 0, 1)).toBe('::1');
    expect(formatIPv6(0xabcd0000, 0, 0, 0)).toBe('abcd::'); // lowercase
    expect(formatIPv6(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('the byte writer and the string formatter agree', () => {
    const texts = ['::/0', '::1/128', '1::/16', '2001:db8::1:0:0:1/128', '2001:db8:0:1:1:1:1:1/128', 'fe80::/10', '0.0.0.0/0', '255.255.255.255/32'];
    const set = toCidrSet(texts);
    for (const c of set) expect(set.toStrings()).toContain(c.toString());
    expect(set.toString()).toBe(`${set.toStrings().join('\n')}\n`);
  });

  it('IPv6 text is what the WHATWG URL serializer writes (the same RFC 5952 rules, implemented independently), and the byte writer writes the same', () => {
    // Words biased to zero groups, where the compression rules matter.
    const word = fc.oneof(fc.constant(0), fc.constantFrom(0x00010000, 0x00000001, 0xffff0000), fc.integer({ min: 0, max: 0xffffffff }));
    fc.assert(
      fc.property(word, word, word, word, fc.integer({ min: 0, max: 128 }), (w0, w1, w2, w3, len) => {
        const full = [w0, w1, w2, w3].flatMap((w) => [(w >>> 16).toString(16), (w & 0xffff).toString(16)]).join(':');
        const text = formatIPv6(w0, w1, w2, w3);
        expect(text).toBe(new URL(`http://[${full}]/`).hostname.slice(1, -1));
        const bytes = new Uint8Array(MAX_IPV6_PREFIX_BYTES);
        expect(Buffer.from(bytes.subarray(0, writeIPv6Prefix(bytes, 0, w0, w1, w2, w3, len))).toString('latin1')).toBe(`${text}/${len}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('IPv4 is dotted decimal', () => {
    expect(formatIPv4(0xc0000201)).toBe('192.0.2.1');
    expect(formatIPv4(0)).toBe('0.0.0.0');
  });

  it('counts get thousands separators', () => {
    expect(formatCount(1204)).toBe('1,204');
    expect(formatCount(87)).toBe('87');
    expect(formatCount(1n << 64n)).toBe('18,446,744,073,709,551,616');
    expect(formatCount(-1000)).toBe('-1,000');
  });

  it('address counts past 2^32 also read as a power of two (an IPv6 count has up to 39 digits)', () => {
    expect(formatAddressCount(16_777_216n)).toBe('16,777,216');
    expect(formatAddressCount(1n << 32n)).toBe('4,294,967,296 (2^32)');
    expect(formatAddressCount(1n << 96n)).toBe('79,228,162,514,264,337,593,543,950,336 (2^96)');
    expect(formatAddressCount((1n << 96n) - (1n << 80n))).toBe('79,226,953,588,444,722,964,369,244,160 (≈ 2^96.00)');
    expect(formatAddressCount(3n << 100n)).toBe('3,802,951,800,684,688,204,490,109,616,128 (≈ 2^101.58)');
    // The exponent agrees with log2 of the number read back from its decimal digits (an independent path).
    fc.assert(
      fc.property(fc.bigInt({ min: 1n << 33n, max: 1n << 128n }), (n) => {
        const shown = /\(≈ 2\^([\d.]+)\)$|\(2\^(\d+)\)$/.exec(formatAddressCount(n))!;
        expect(Math.abs(Number(shown[1] ?? shown[2]) - Math.log2(Number.parseFloat(n.toString())))).toBeLessThanOrEqual(0.005 + 1e-9);
      }),
    );
  });
});
