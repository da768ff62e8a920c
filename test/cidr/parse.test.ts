import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetsecError } from '../../src/core/errors.js';
import { aggregate, Cidr, CidrParseError, formatDiagnostic, parseCidrList, parseCidrs, PrefixList } from '../../src/cidr/index.js';

/** The message `fn` throws (the test fails if it throws nothing or not a NetsecError). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetsecError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** Parses and returns canonical, aggregated text (to check what was read). */
const read = (text: string, lenient = false) =>
  aggregate(parseCidrs(text, { source: 'feed.txt', lenient }).prefixes).set.toStrings();

/** Parses `text` expecting exactly one bad line; returns `file:line:column: message`. */
function oneError(text: string): string {
  try {
    parseCidrs(text, { source: 'feed.txt' });
  } catch (e) {
    expect(e).toBeInstanceOf(CidrParseError);
    const err = e as CidrParseError;
    expect(err.code).toBe('CONFIG');
    expect(err.total).toBe(1);
    return formatDiagnostic(err.diagnostics[0]!);
  }
  throw new Error('expected a parse error');
}

describe('parseCidrs: what is accepted', () => {
  it('reads comments, blank lines, whitespace, CRLF and a BOM', () => {
    const text = '\ufeff# feed header\r\n\r\n  10.0.0.0/8  \r\n\t192.0.2.0/24\t# trailing comment\r\n198.51.100.0/24#tight\n   \n# end';
    expect(read(text)).toEqual(['10.0.0.0/8', '192.0.2.0/24', '198.51.100.0/24']);
  });

  it('reads a bare address as /32 or /128', () => {
    expect(read('192.0.2.1\n2001:db8::1')).toEqual(['192.0.2.1/32', '2001:db8::1/128']);
  });

  it('accepts every IPv6 text form and outputs RFC 5952', () => {
    const cases: Record<string, string> = {
      '2001:DB8:0:0:0:0:0:0/32': '2001:db8::/32',
      '::': '::/128',
      '::1': '::1/128',
      '1::': '1::/128',
      '1:2:3:4:5:6:7::': '1:2:3:4:5:6:7:0/128',
      '::2:3:4:5:6:7:8': '0:2:3:4:5:6:7:8/128',
      '64:ff9b::192.0.2.33': '64:ff9b::c000:221/128',
      '2001:0db8:0000:0000:0000:0000:0000:ff00/120': '2001:db8::ff00/120',
    };
    for (const [input, canonical] of Object.entries(cases)) expect(read(input)).toEqual([canonical]);
  });

  it('counts lines including blank and comment lines, and a last line without newline', () => {
    const r = parseCidrs('# a\n\n10.0.0.0/8\n192.0.2.0/24');
    expect(r.lines).toBe(4);
    expect(r.prefixes.size).toBe(2);
  });

  it('parses an inline list with each element as one line', () => {
    const r = parseCidrList(['10.0.0.0/8', '# comment', '2001:db8::/32']);
    expect(r.prefixes.v4Count).toBe(1);
    expect(r.prefixes.v6Count).toBe(1);
  });
});

describe('parseCidrs: exact error messages', () => {
  it('host bits set (strict mode): the library names no knob unless the caller gives its hint', () => {
    expect(oneError('# header\n10.0.0.1/8')).toBe(
      "feed.txt:2:1: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8'");
    expect(oneError('2001:db8::1/32')).toBe(
      "feed.txt:1:1: '2001:db8::1/32' has host bits set; expected a network address such as '2001:db8::/32'");
    expect(messageOf(() => parseCidrs('10.0.0.1/8', { source: 'feed.txt', hostBitsHint: ' (use --lenient to normalise)' }))).toBe(
      "feed.txt:1:1: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8' (use --lenient to normalise)");
  });

  it('control characters in a bad line are escaped, and a huge token is cut', () => {
    expect(oneError('\u001b[31mevil\u0007')).toBe(
      "feed.txt:1:1: '\\x1b[31mevil\\x07' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'");
    expect(oneError(`10.0.0.0/8 ${'x'.repeat(250)}`)).toBe(
      `feed.txt:1:12: unexpected '${'x'.repeat(200)}… (50 more characters)' after '10.0.0.0/8'; expected one prefix per line (comments start with '#')`);
  });

  it('prefix length out of range or malformed', () => {
    expect(oneError('10.0.0.0/33')).toBe("feed.txt:1:10: '10.0.0.0/33' has prefix length 33; expected 0-32 for IPv4");
    expect(oneError('2001:db8::/129')).toBe("feed.txt:1:12: '2001:db8::/129' has prefix length 129; expected 0-128 for IPv6");
    expect(oneError('10.0.0.0/')).toBe("feed.txt:1:10: '10.0.0.0/' has an invalid prefix length ''; expected a decimal number 0-32 after '/'");
    expect(oneError('10.0.0.0/08')).toBe("feed.txt:1:10: '10.0.0.0/08' has an invalid prefix length '08'; expected a decimal number 0-32 after '/'");
    expect(oneError('2001:db8::/x')).toBe("feed.txt:1:12: '2001:db8::/x' has an invalid prefix length 'x'; expected a decimal number 0-128 after '/'");
  });

  it('malformed IPv4', () => {
    expect(oneError('  10.0.256.0/24')).toBe("feed.txt:1:8: '10.0.256.0/24' has octet 256 out of range; expected 0-255");
    expect(oneError('010.0.0.0/8')).toBe(
      "feed.txt:1:1: '010.0.0.0/8' has octet '010' with a leading zero; expected a decimal number without leading zeros (some tools read it as octal)");
    expect(oneError('10.0.0')).toBe("feed.txt:1:1: '10.0.0' is not a valid IPv4 address; expected four decimal octets such as '192.0.2.0'");
    expect(oneError('10..0.0')).toBe("feed.txt:1:1: '10..0.0' is not a valid IPv4 address; expected four decimal octets such as '192.0.2.0'");
    expect(oneError('1.2.3.4.5')).toBe("feed.txt:1:1: '1.2.3.4.5' is not a valid IPv4 address; expected four decimal octets such as '192.0.2.0'");
  });

  it('malformed IPv6', () => {
    expect(oneError('2001:db8:::1')).toBe(
      "feed.txt:1:1: '2001:db8:::1' is not a valid IPv6 address; expected hex groups separated by ':' with at most one '::', such as '2001:db8::'");
    expect(oneError('1::2::3')).toBe(
      "feed.txt:1:1: '1::2::3' is not a valid IPv6 address; expected hex groups separated by ':' with at most one '::', such as '2001:db8::'");
    expect(oneError('1:2:3:4:5:6:7:8:9')).toBe(
      "feed.txt:1:1: '1:2:3:4:5:6:7:8:9' is not a valid IPv6 address; expected hex groups separated by ':' with at most one '::', such as '2001:db8::'");
    expect(oneError('2001:db8:12345::')).toBe(
      "feed.txt:1:10: '2001:db8:12345::' has group '12345' with more than 4 hex digits; expected 1-4 hex digits per group");
    expect(oneError('2001:dg8::')).toBe(
      "feed.txt:1:1: '2001:dg8::' is not a valid IPv6 address; expected hex groups separated by ':' with at most one '::', such as '2001:db8::'");
  });

  it('IPv4-mapped IPv6 and zone ids are refused with a reason', () => {
    expect(oneError('::ffff:192.0.2.1')).toBe(
      "feed.txt:1:1: '::ffff:192.0.2.1' is an IPv4-mapped IPv6 address; expected the IPv4 prefix itself, such as '192.0.2.1/32'");
    expect(oneError('::ffff:c000:200/120')).toBe(
      "feed.txt:1:1: '::ffff:c000:200/120' is an IPv4-mapped IPv6 address; expected the IPv4 prefix itself, such as '192.0.2.0/24'");
    expect(oneError('fe80::1%eth0')).toBe(
      "feed.txt:1:8: 'fe80::1%eth0' has a zone id '%eth0'; expected an address without '%zone' (zone ids only mean something on one host)");
    expect(oneError('fe80::%eth0/64')).toBe(
      "feed.txt:1:7: 'fe80::%eth0/64' has a zone id '%eth0'; expected an address without '%zone' (zone ids only mean something on one host)");
  });

  it('ranges, words and trailing text', () => {
    expect(oneError('192.0.2.1-192.0.2.9')).toBe(
      "feed.txt:1:1: '192.0.2.1-192.0.2.9' is an address range; expected a CIDR prefix (convert the range to prefixes first)");
    expect(oneError('example.com')).toBe(
      "feed.txt:1:1: 'example.com' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'");
    expect(oneError('10.0.0.0/8 10.1.0.0/16')).toBe(
      "feed.txt:1:12: unexpected '10.1.0.0/16' after '10.0.0.0/8'; expected one prefix per line (comments start with '#')");
    expect(oneError('10.0.0.0 / 8')).toBe(
      "feed.txt:1:10: unexpected '/' after '10.0.0.0'; expected one prefix per line (comments start with '#')");
  });

  it('columns count characters, not bytes', () => {
    expect(oneError('é 10.0.0.0/8')).toBe(
      "feed.txt:1:3: unexpected '10.0.0.0/8' after 'é'; expected one prefix per line (comments start with '#')");
  });

  it('an inline list item with a line break', () => {
    expect(messageOf(() => parseCidrList(['10.0.0.0/8', '192.0.2.0/24\n198.51.100.0/24'], { source: 'blocked' }))).toBe(
      "blocked:2:13: '192.0.2.0/24\\n198.51.100.0/24' contains a line break; expected one prefix per list item");
  });

  it('an inline list reports items where locateItem says they are written, one or several', () => {
    const locateItem = (index: number, column: number) => ({ file: 'netsec.yaml', line: 10 + index, column: 8 + column });
    expect(messageOf(() => parseCidrList(['10.0.0.0/8', '10.0.0.0/33'], { source: 'netsec.yaml', locateItem }))).toBe(
      "netsec.yaml:11:18: '10.0.0.0/33' has prefix length 33; expected 0-32 for IPv4");
    let err: CidrParseError | undefined;
    try {
      parseCidrList(['nope', '10.0.0.0/8', '10.0.0.1/8'], { source: 'netsec.yaml', locateItem, within: 'items in egressBlocking[0].cidrs' });
    } catch (e) {
      err = e as CidrParseError;
    }
    expect(err!.message).toBe([
      "netsec.yaml:10:9: 'nope' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'",
      "netsec.yaml:12:9: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8'",
      '2 invalid items in egressBlocking[0].cidrs; fix them and run again.',
    ].join('\n'));
    const lenient = parseCidrList(['10.0.0.1/8'], { source: 'netsec.yaml', lenient: true, locateItem });
    expect(lenient.warnings.map(formatDiagnostic)).toEqual(["netsec.yaml:10:9: '10.0.0.1/8' has host bits set; normalised to '10.0.0.0/8'"]);
  });
});

describe('parseCidrs: all errors in one pass', () => {
  it('collects every bad line with its location, in line order', () => {
    let err: CidrParseError | undefined;
    try {
      parseCidrs('10.0.0.1/8\n192.0.2.0/24\nnope\n10.0.0.0/40\n', { source: 'feed.txt' });
    } catch (e) {
      err = e as CidrParseError;
    }
    expect(err).toBeInstanceOf(NetsecError);
    expect(err!.location).toEqual({ file: 'feed.txt' });
    expect(err!.message).toBe([
      "feed.txt:1:1: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8'",
      "feed.txt:3:1: 'nope' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'",
      "feed.txt:4:10: '10.0.0.0/40' has prefix length 40; expected 0-32 for IPv4",
      '3 invalid lines in feed.txt; fix them and run again.',
    ].join('\n'));
  });

  it('keeps the first 20 in detail and counts the rest', () => {
    const text = Array.from({ length: 25 }, (_, i) => `bad${i}`).join('\n');
    let err: CidrParseError | undefined;
    try {
      parseCidrs(text, { source: 'feed.txt' });
    } catch (e) {
      err = e as CidrParseError;
    }
    expect(err!.total).toBe(25);
    expect(err!.diagnostics).toHaveLength(20);
    const lines = err!.message.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe("feed.txt:1:1: 'bad0' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'");
    expect(lines.at(-1)).toBe('25 invalid lines in feed.txt (the first 20 shown); fix them and run again.');
  });

  it('a single bad line carries its full location, in the message too (even at line 1,000,000)', () => {
    try {
      parseCidrs('10.0.0.0/8\n\n  10.0.0.1/8', { source: 'feed.txt' });
      expect.unreachable();
    } catch (e) {
      expect((e as NetsecError).location).toEqual({ file: 'feed.txt', line: 3, column: 3 });
      expect((e as NetsecError).message).toBe("feed.txt:3:3: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8'");
    }
    const million = `${'192.0.2.0/24\n'.repeat(999_999)}1.2.3.4/33\n`;
    expect(messageOf(() => parseCidrs(million, { source: 'feed.txt' }))).toBe("feed.txt:1000000:9: '1.2.3.4/33' has prefix length 33; expected 0-32 for IPv4");
  });
});

describe('parseCidrs: lenient mode', () => {
  it('normalises host bits with one warning per line, never silently', () => {
    const r = parseCidrs('10.0.0.1/8\n192.0.2.0/24\n2001:db8::1/32 # x\n', { source: 'feed.txt', lenient: true });
    expect(aggregate(r.prefixes).set.toStrings()).toEqual(['10.0.0.0/8', '192.0.2.0/24', '2001:db8::/32']);
    expect(r.warnings.map(formatDiagnostic)).toEqual([
      "feed.txt:1:1: '10.0.0.1/8' has host bits set; normalised to '10.0.0.0/8'",
      "feed.txt:3:1: '2001:db8::1/32' has host bits set; normalised to '2001:db8::/32'",
    ]);
    expect(r.warnings[0]!.severity).toBe('warning');
    expect(r.warnings[0]!.found).toBe('10.0.0.1/8');
  });

  it('still rejects real errors', () => {
    expect(() => parseCidrs('10.0.0.1/8\n10.0.0.0/33', { lenient: true })).toThrow("'10.0.0.0/33' has prefix length 33");
  });
});

describe('Cidr.parse', () => {
  it('parses one prefix with the same messages, without the CLI hint', () => {
    expect(Cidr.parse(' 10.96.0.0/12 ').toString()).toBe('10.96.0.0/12');
    expect(Cidr.parse('2001:DB8::/32').toString()).toBe('2001:db8::/32');
    let err: NetsecError | undefined;
    try {
      Cidr.parse('10.96.0.1/12', { source: 'netsec.yaml#/cluster/serviceCidr' });
    } catch (e) {
      err = e as NetsecError;
    }
    expect(err?.reason).toBe("'10.96.0.1/12' has host bits set; expected a network address such as '10.96.0.0/12'");
    expect(err?.message).toBe("netsec.yaml#/cluster/serviceCidr: '10.96.0.1/12' has host bits set; expected a network address such as '10.96.0.0/12'");
    expect(err?.location).toEqual({ file: 'netsec.yaml#/cluster/serviceCidr' });
    expect(err?.code).toBe('CONFIG');
    expect(Cidr.parse('10.96.0.1/12', { lenient: true }).toString()).toBe('10.96.0.0/12');
  });

  it('answers containment and overlap', () => {
    const pods = Cidr.parse('10.0.0.0/8');
    expect(pods.contains(Cidr.parse('10.1.0.0/16'))).toBe(true);
    expect(Cidr.parse('10.1.0.0/16').overlaps(pods)).toBe(true);
    expect(pods.overlaps(Cidr.parse('11.0.0.0/8'))).toBe(false);
    expect(pods.contains(Cidr.parse('::/0'))).toBe(false);
    expect(Cidr.parse('::/0').contains(Cidr.parse('2001:db8::1'))).toBe(true);
    expect(Cidr.parse('0.0.0.0/0').isDefaultRoute).toBe(true);
  });
});

describe('fast and general paths agree', () => {
  // parseCidrs takes a fast path for plain tokens; Cidr.parse always takes the general scanner.
  const word = fc.integer({ min: 0, max: 0xffffffff });
  // Zeroed words make '::' runs in different places.
  const v6 = fc.tuple(word, word, fc.constantFrom(0, 1, 0xffff0000), word, fc.integer({ min: 0, max: 128 }), fc.boolean(), fc.boolean())
    .map(([a, b, c, d, len, upper, full]) => {
      const masked = Cidr.v6(a, b & 0xffff0000, c, d, len);
      let text = masked.toString();
      if (full) {
        const w = [masked.w0, masked.w1, masked.w2, masked.w3];
        text = `${w.flatMap((x) => [x >>> 16, x & 0xffff]).map((g) => g.toString(16).padStart(4, '0')).join(':')}/${len}`;
      }
      return upper ? text.toUpperCase() : text;
    });
  const v4 = fc.tuple(word, fc.integer({ min: 0, max: 32 })).map(([a, len]) => Cidr.v4(a, len).toString());

  it('on valid prefixes of both families', () => {
    fc.assert(fc.property(fc.array(fc.oneof(v4, v6), { minLength: 1, maxLength: 20 }), (texts) => {
      const viaFeed = aggregate(parseCidrs(texts.join('\n')).prefixes).set.toStrings();
      const expected = [...new Set(texts.map((t) => Cidr.parse(t).toString()))];
      expect(aggregate(parseCidrList(expected).prefixes).set.toStrings()).toEqual(viaFeed);
    }), { numRuns: 200 });
  });

  it('on arbitrary junk: both accept or both reject the same lines', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:./%-x '.split(''));
    fc.assert(fc.property(fc.array(alphabet, { minLength: 1, maxLength: 24 }).map((a) => a.join('').trim()), (t) => {
      if (t === '' || t.includes(' ')) return;
      let feedOk = true;
      try {
        parseCidrs(t, { lenient: true });
      } catch {
        feedOk = false;
      }
      let cidrOk = true;
      try {
        Cidr.parse(t, { lenient: true });
      } catch {
        cidrOk = false;
      }
      expect(feedOk).toBe(cidrOk);
    }), { numRuns: 2000 });
  });
});

describe('parseCidrs into an existing list', () => {
  it('reserving what a new list was made for grows nothing (a feed read into the list the CLI made for it)', () => {
    for (const hint of [0, 1, 17, 1_000, 1_214_286.5]) {
      const list = new PrefixList(hint);
      const arrays = [list.v4Start, list.v4Len, list.v6Words, list.v6Len];
      list.reserve(hint);
      expect([list.v4Start, list.v4Len, list.v6Words, list.v6Len].every((a, i) => a === arrays[i]), `hint ${hint}`).toBe(true);
    }
  });

  it('appends every prefix of several feeds in order, however small the list started (it grows to fit each feed)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.ipV4(), fc.ipV6()), { maxLength: 200 }), { maxLength: 5 }), (feeds) => {
        const into = new PrefixList(1);
        for (const f of feeds) parseCidrs(f.join('\n'), { into });
        const all = feeds.flat().map((a) => Cidr.parse(a).toString());
        const v4 = Array.from({ length: into.v4Count }, (_, i) => Cidr.v4(into.v4Start[i]!, into.v4Len[i]!).toString());
        const w = into.v6Words;
        const v6 = Array.from({ length: into.v6Count }, (_, i) => Cidr.v6(w[4 * i]!, w[4 * i + 1]!, w[4 * i + 2]!, w[4 * i + 3]!, into.v6Len[i]!).toString());
        expect(v4).toEqual(all.filter((t) => !t.includes(':')));
        expect(v6).toEqual(all.filter((t) => t.includes(':')));
      }),
      { numRuns: 60 },
    );
  });
});
