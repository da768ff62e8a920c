import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { aggregate, CidrParseError, formatDiagnostic, readCidrFeed, readCidrLines } from '../../../src/cidr/index.js';
import fc from 'fast-check';
import { readFileBuffer, readFileLines } from '../../../src/cidr/feeds/read.js';
import { FeedParser, parseCidrs } from '../../../src/cidr/parse.js';
import { tempDir } from '../../util.js';


const FIXTURES = join(import.meta.dirname, '../../fixtures/cidr');

describe('readCidrFeed', () => {
  it('reads a file and names it in diagnostics', async () => {
    const r = await readCidrFeed(join(FIXTURES, 'feed.txt'));
    expect(aggregate(r.prefixes).set.toStrings()).toEqual(['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32']);
    expect(r.lines).toBe(12);
  });

  it('reads stdin for "-" and reports it as <stdin>', async () => {
    const stdin = Readable.from([Buffer.from('10.0.0.0/8\n10.0.0.1'), Buffer.from('/8\n')]);
    await expect(readCidrFeed('-', { stdin })).rejects.toThrow(
      "<stdin>:2:1: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8'");
    const again = Readable.from(['10.0.0.0/8\n10.0.0.1/8\n']);
    const r = await readCidrFeed('-', { stdin: again, lenient: true });
    expect(r.warnings.map(formatDiagnostic)).toEqual(["<stdin>:2:1: '10.0.0.1/8' has host bits set; normalised to '10.0.0.0/8'"]);
  });

  it('collects every error of a CRLF file with locations', async () => {
    const path = join(FIXTURES, 'bad.txt');
    const err = await readCidrFeed(path).catch((e: unknown) => e) as CidrParseError;
    expect(err).toBeInstanceOf(CidrParseError);
    expect(err.diagnostics.map(formatDiagnostic)).toEqual([
      `${path}:1:1: '192.0.2.1/24' has host bits set; expected a network address such as '192.0.2.0/24'`,
      `${path}:3:1: 'not-a-prefix' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'`,
      `${path}:4:12: '2001:db8::/129' has prefix length 129; expected 0-128 for IPv6`,
    ]);
  });

  it('reports progress up to the file size', async () => {
    const dir = tempDir('netsec-feed-');
    const path = join(dir, 'big.txt');
    const body = Array.from({ length: 400_000 }, (_, i) => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`).join('\n');
    writeFileSync(path, body);
    const seen: Array<[number, number | undefined]> = [];
    const r = await readCidrFeed(path, { onProgress: (done, total) => seen.push([done, total]) });
    expect(r.prefixes.size).toBe(400_000);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual([Buffer.byteLength(body), Buffer.byteLength(body)]);
    // 10.0.0.0 + 400,000 consecutive addresses: 0x61a80 = /14 + /15 + /20 + /21 + /23 + /25.
    expect(aggregate(r.prefixes).set.toStrings()).toEqual(['10.0.0.0/14', '10.4.0.0/15', '10.6.0.0/20', '10.6.16.0/21', '10.6.24.0/23', '10.6.26.0/25']);
  });

  it('names a missing file, by the name the caller gives when it gives one', async () => {
    await expect(readCidrFeed('/nonexistent/feed.txt')).rejects.toThrow(
      '/nonexistent/feed.txt: cannot read this file (no such file); expected a readable file');
    await expect(readCidrFeed('/nonexistent/feed.txt', { source: 'feeds/feed.txt' })).rejects.toThrow(
      'feeds/feed.txt: cannot read this file (no such file); expected a readable file');
  });

  it('names a file by `source` in diagnostics, so no absolute path reaches a message', async () => {
    const err = await readCidrFeed(join(FIXTURES, 'host-bits.txt'), { source: 'fixtures/host-bits.txt' }).catch((e: unknown) => e) as CidrParseError;
    expect(err.message).toBe("fixtures/host-bits.txt:1:1: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8'");
  });
});

describe('readCidrLines', () => {
  it('reports list items as lines of the source', () => {
    try {
      readCidrLines(['192.0.2.0/24', '192.0.2.1/24'], { source: 'extra.txt' });
      expect.unreachable();
    } catch (e) {
      expect(formatDiagnostic((e as CidrParseError).diagnostics[0]!)).toBe(
        "extra.txt:2:1: '192.0.2.1/24' has host bits set; expected a network address such as '192.0.2.0/24'");
    }
  });
});

describe('readFileBuffer', () => {
  it('returns the whole file, whether it ends at its stat size or grows while it is read', async () => {
    const dir = tempDir('netsec-read-');
    // 4 MiB is the read chunk: sizes around it take the one-read, several-reads and exact-end paths.
    for (const size of [0, 1, 4 * 1024 * 1024, 4 * 1024 * 1024 + 3, 9 * 1024 * 1024]) {
      const file = join(dir, `f${size}`);
      const data = Buffer.alloc(size, 'a');
      for (let i = 0; i < size; i += 4093) data[i] = 48 + (i % 10);
      writeFileSync(file, data);
      expect((await readFileBuffer(file)).equals(data), `size ${size}`).toBe(true);
      // A feed rewritten while netsec reads it: the bytes appended after stat are read too, not cut off.
      let appended = false;
      const grown = await readFileBuffer(file, () => {
        if (!appended) appendFileSync(file, 'tail\n');
        appended = true;
      });
      expect(grown.equals(Buffer.concat([data, Buffer.from('tail\n')])), `size ${size} + 5`).toBe(true);
    }
  });
});

describe('reading a feed in pieces', () => {
  it('readFileLines hands over whole lines, through any buffer size, ending with the last line (with a newline added)', async () => {
    const dir = tempDir('netsec-lines-');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: fc.constantFrom('a', '1', '/', ' ', '\r'), maxLength: 40 }), { maxLength: 30 }), fc.boolean(), fc.integer({ min: 1, max: 64 }), async (lines, finalNewline, chunk) => {
        const text = lines.join('\n') + (finalNewline && lines.length ? '\n' : '');
        const file = join(dir, 'f.txt');
        writeFileSync(file, text);
        const pieces: string[] = [];
        await readFileLines(file, { onLines: (buf, end) => pieces.push(buf.toString('latin1', 0, end)) }, 'f.txt', chunk);
        for (const piece of pieces) expect(piece.endsWith('\n')).toBe(true);
        expect(pieces.join('')).toBe(text === '' ? '' : text.endsWith('\n') ? text : `${text}\n`);
      }),
      { numRuns: 150 },
    );
  });

  it('a feed read in pieces parses as the whole text does: prefixes, warnings, line numbers and errors', () => {
    const line = fc.oneof(fc.ipV4().map((a) => `${a}/32`), fc.ipV6(), fc.constantFrom('# note', '', '  10.0.0.1/8', '10.0.0.0/8 # x', 'bogus', '\uFEFF10.0.0.0/8'));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(40)), fc.boolean(), (lines, cuts, lenient) => {
        const text = `${lines.join('\n')}\n`;
        const whole = (() => {
          try {
            const r = parseCidrs(text, { source: 'f', lenient });
            return { prefixes: [...aggregate(r.prefixes).set.toStrings()], warnings: r.warnings.map(formatDiagnostic), lines: r.lines };
          } catch (e) {
            return { error: (e as Error).message };
          }
        })();
        // The same lines in pieces cut at line ends.
        const ends = [...new Set(cuts.map((c) => Math.min(c, lines.length)))].sort((a, b) => a - b).filter((c) => c > 0 && c < lines.length);
        const parser = new FeedParser({ source: 'f', lenient }, 1);
        let from = 0;
        for (const end of [...ends, lines.length]) {
          const piece = Buffer.from(`${lines.slice(from, end).join('\n')}\n`, 'utf8');
          parser.parse(piece, 0, piece.length);
          from = end;
        }
        const pieces = (() => {
          try {
            const r = parser.finish();
            return { prefixes: [...aggregate(r.prefixes).set.toStrings()], warnings: r.warnings.map(formatDiagnostic), lines: r.lines };
          } catch (e) {
            return { error: (e as Error).message };
          }
        })();
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('readCidrFeed names the right line of a file larger than its read buffer', async () => {
    const file = join(tempDir('netsec-big-'), 'feed.txt');
    const good = Array.from({ length: 120_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
    writeFileSync(file, `${good.join('\n')}\n10.0.0.1/8\n`);
    await expect(readCidrFeed(file, { source: 'feed.txt' })).rejects.toThrow("feed.txt:120001:1: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8'");
    const r = await readCidrFeed(file, { source: 'feed.txt', lenient: true });
    expect(r.lines).toBe(120_001);
    expect(r.prefixes.size).toBe(120_001);
  });
});
