import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readCidrFeed } from '../../src/cidr/feeds/plain.js';
import { MAX_LINE_BYTES } from '../../src/cidr/feeds/read.js';
import { findNotText, invalidUtf8Offset } from '../../src/core/text-input.js';
import { Target, validateManifests } from '../../src/index.js';
import { run } from '../cli/run.js';
import { tempDir } from '../util.js';

/** Byte strings that are mostly UTF-8 text with stray bytes in between: where invalid sequences hide in real files. */
const mostlyText = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }).map((s) => Buffer.from(s, 'utf8')), fc.uint8Array({ maxLength: 3 }).map((b) => Buffer.from(b))), { maxLength: 12 })
  .map((parts) => Buffer.concat(parts));

describe('invalidUtf8Offset', () => {
  test('finds the first invalid sequence exactly where Node\'s isUtf8 says the text stops being UTF-8 (fast-check)', () => {
    fc.assert(
      fc.property(mostlyText, (bytes) => {
        const at = invalidUtf8Offset(bytes);
        if (at === undefined) {
          expect(isUtf8(bytes)).toBe(true);
          return;
        }
        // Valid up to the offset; any prefix that holds the sequence starting there (at most 4 bytes) is not.
        expect(isUtf8(bytes.subarray(0, at))).toBe(true);
        expect(isUtf8(bytes.subarray(0, Math.min(bytes.length, at + 4)))).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  test('refuses overlong forms, surrogates and code points above U+10FFFF, as RFC 3629 does', () => {
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong '/'
    expect(invalidUtf8Offset(Buffer.from([0xe0, 0x80, 0xaf]))).toBe(0); // overlong, 3 bytes
    expect(invalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // U+D800
    expect(invalidUtf8Offset(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // U+110000
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1); // cut short at the end
    expect(invalidUtf8Offset(Buffer.from('né €𝄞', 'utf8'))).toBeUndefined();
  });
});

describe('findNotText', () => {
  test('names the compressed and archive formats users pass for a text file, by their first bytes', () => {
    expect(findNotText(gzipSync('10.0.0.0/8\n'), { utf8: false })).toEqual({ line: 1, column: 1, found: 'is not a text file: it starts with the bytes of gzip-compressed data', fix: 'decompress it first (gunzip)' });
    expect(findNotText(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), { utf8: false })?.found).toBe('is not a text file: it starts with the bytes of a zip archive');
    expect(findNotText(Buffer.from('\ufeff10.0.0.0/8\n', 'utf16le'), { utf8: false })).toEqual({
      line: 1,
      column: 1,
      found: 'is not a text file: it starts with the bytes of UTF-16 text (byte order mark FF FE)',
      fix: 'save it as UTF-8',
    });
    // Text that happens to start like bzip2's magic ('BZh') is text.
    expect(findNotText(Buffer.from('BZh is a comment-free word\n'), { utf8: true })).toBeUndefined();
    // In the middle of a file, the first bytes of a line are not a format.
    expect(findNotText(Buffer.from([0x1f, 0x8b, 0x08, 0x00]), { utf8: false, fileStart: false })).toEqual({ line: 1, column: 4, found: 'is not a text file: it holds the byte 0x00 (NUL)', fix: 'check that it is the right file' });
  });

  test('a NUL byte is binary data, located by line and column (in characters); tabs, CR and LF are text', () => {
    expect(findNotText(Buffer.from('a\tb\r\nné\u0000x\n'), { utf8: false })).toEqual({ line: 2, column: 3, found: 'is not a text file: it holds the byte 0x00 (NUL)', fix: 'check that it is the right file' });
    expect(findNotText(Buffer.from('key: value\r\n\tother: 1\n'), { utf8: true })).toBeUndefined();
  });

  test('YAML may hold no other control character (YAML 1.2 c-printable); a feed line with one gets its own escaped error', () => {
    expect(findNotText(Buffer.from('name: "a\u001b[31m"\n'), { utf8: true })).toEqual({
      line: 1,
      column: 9,
      found: 'holds the control character 0x1b, which YAML does not allow (only tab, line feed and carriage return)',
      fix: 'remove it',
    });
    expect(findNotText(Buffer.from('x: \u007f'), { utf8: true })?.found).toBe('holds the control character 0x7f, which YAML does not allow (only tab, line feed and carriage return)');
    expect(findNotText(Buffer.from('\u001b[31mevil\u0007\n'), { utf8: false })).toBeUndefined();
  });

  test('holds YAML to UTF-8 and feeds not (a Latin-1 comment in a feed is harmless)', () => {
    const latin1 = Buffer.from('name: caf\u00e9\n', 'latin1');
    expect(findNotText(latin1, { utf8: true })).toEqual({
      line: 1,
      column: 10,
      found: 'holds the byte 0xe9, which is not UTF-8 (saved as Latin-1 or Windows-1252?)',
      fix: 'save it as UTF-8',
    });
    expect(findNotText(latin1, { utf8: false })).toBeUndefined();
  });
});

describe('inputs that are not text are refused once, at the first byte that shows it', () => {
  test('a gzip-compressed feed', async () => {
    const feed = join(tempDir('netsec-text-'), 'feed.txt.gz');
    writeFileSync(feed, gzipSync('10.0.0.0/8\n192.0.2.0/24\n'));
    expect(await run('cidrs', 'aggregate', feed)).toEqual({
      code: 2,
      stdout: '',
      stderr: `${feed}:1:1: the feed is not a text file: it starts with the bytes of gzip-compressed data; expected one address or prefix per line; decompress it first (gunzip)\n`,
    });
  });

  test('a binary feed after valid lines: one error at its first control byte, not a list of junk lines', async () => {
    const feed = join(tempDir('netsec-text-'), 'feed.txt');
    writeFileSync(feed, Buffer.concat([Buffer.from('10.0.0.0/8\n192.0.2.0/24\nab'), Buffer.from([0x00, 0x13, 0x88, 0x0a]), Buffer.alloc(300, 0x01), Buffer.from('\n\u0002\u0003\n')]));
    expect(await run('cidrs', 'aggregate', feed)).toEqual({
      code: 2,
      stdout: '',
      stderr: `${feed}:3:3: the feed is not a text file: it holds the byte 0x00 (NUL); expected one address or prefix per line; check that it is the right file\n`,
    });
  });

  test('a line that does not end within 1 MiB is refused at its line (an endless device is not read until memory runs out)', async () => {
    const feed = join(tempDir('netsec-text-'), 'feed.txt');
    writeFileSync(feed, `10.0.0.0/8\n${'1'.repeat(MAX_LINE_BYTES + 10)}\n`);
    expect(await run('cidrs', 'aggregate', feed)).toEqual({
      code: 2,
      stdout: '',
      stderr: `${feed}:2:1: a line is longer than 1,048,576 bytes; expected one address or prefix per line; check that it is the right file\n`,
    });
    // A stream of NUL bytes that never ends (`/dev/zero`, `cat /dev/zero | netsec cidrs aggregate -`).
    const zeros = Readable.from((function* () {
      yield Buffer.from('192.0.2.0/24\n');
      for (;;) yield Buffer.alloc(64 * 1024);
    })());
    await expect(readCidrFeed('-', { stdin: zeros })).rejects.toMatchObject({
      message: '<stdin>:2:1: the feed is not a text file: it holds the byte 0x00 (NUL); expected one address or prefix per line; check that it is the right file',
    });
  });

  test('netsec.yaml saved as Latin-1, and a binary file named as netsec.yaml', async () => {
    const dir = tempDir('netsec-text-');
    const config = join(dir, 'netsec.yaml');
    writeFileSync(config, Buffer.from('targets: [{ name: c, kubernetes: "1.30", cilium: "1.18" }]\negressBlocking: [{ name: caf\u00e9, cidrs: [203.0.113.0/24] }]\n', 'latin1'));
    expect(await run('synth', '-c', config, '--out', join(dir, 'dist'))).toEqual({
      code: 2,
      stdout: '',
      stderr: `${config}:2:29: the config file holds the byte 0xe9, which is not UTF-8 (saved as Latin-1 or Windows-1252?); expected a readable netsec.yaml; save it as UTF-8\n`,
    });
    writeFileSync(config, gzipSync('targets: []\n'));
    expect((await run('synth', '-c', config, '--out', join(dir, 'dist'))).stderr).toBe(
      `${config}:1:1: the config file is not a text file: it starts with the bytes of gzip-compressed data; expected a readable netsec.yaml; decompress it first (gunzip)\n`,
    );
  });

  test('validate reports a file that is not text and checks the others', async () => {
    const dir = tempDir('netsec-text-');
    writeFileSync(join(dir, 'a.yaml'), Buffer.concat([Buffer.from('apiVersion: v1\nkind: '), Buffer.from([0x00, 0x01])]));
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: n }\ndata: { a: b }\n');
    const r = await run('validate', dir, '--kubernetes', '1.30');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${join(dir, 'a.yaml')}:2:7: the file is not a text file: it holds the byte 0x00 (NUL); expected a YAML file; check that it is the right file`);
    expect(r.stderr).toContain('1 object(s) in 2 file(s)');
    // Standard input, given as bytes, is checked as a file is.
    const piped = validateManifests({ paths: ['-'], target: new Target({ name: 't', kubernetes: '1.30' }), stdin: Buffer.from('kind: caf\u00e9\n', 'latin1') });
    expect(piped.findings.map((f) => `${f.location.file}:${f.location.line}:${f.location.column}: ${f.message}`)).toEqual([
      '<stdin>:1:10: the file holds the byte 0xe9, which is not UTF-8 (saved as Latin-1 or Windows-1252?); expected a YAML file; save it as UTF-8',
    ]);
  });

  test('YAML nested deeper than the parser\'s stack is refused in words, at where the parser stopped', async () => {
    const dir = tempDir('netsec-text-');
    const config = join(dir, 'netsec.yaml');
    writeFileSync(config, `targets: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    const r = await run('synth', '-c', config, '--out', join(dir, 'dist'));
    expect(r.code).toBe(2);
    // parseConfig names the file by its base name, as its other messages do.
    expect(r.stderr).toMatch(/^netsec\.yaml:1:\d+: invalid YAML: nested too deeply to read \(the parser ran out of stack\); expected lists and maps nested a few hundred levels at most\n$/);
  });
});

describe('YAML the config and scenario readers refuse in their own words', () => {
  test('an unknown tag (read as a plain string before, silently) and a second document (the library named its own API)', async () => {
    const dir = tempDir('netsec-yaml-words-');
    const config = join(dir, 'netsec.yaml');
    writeFileSync(config, 'targets:\n  - { name: t, kubernetes: "1.30", cilium: !foo "1.18" }\negressBlocking: [{ name: b, cidrs: [203.0.113.0/24] }]\n');
    expect(await run('synth', '-c', config, '--out', join(dir, 'dist'))).toEqual({
      code: 2,
      stdout: '',
      stderr: "netsec.yaml:2:44: invalid YAML: the tag '!foo' is not one netsec reads; expected plain strings, numbers, booleans, lists and maps; remove the tag\n",
    });
    writeFileSync(config, 'targets: []\n---\negressBlocking: []\n');
    expect((await run('synth', '-c', config, '--out', join(dir, 'dist'))).stderr).toBe(
      "netsec.yaml:2:1: invalid YAML: a second document starts here (a '---' line); expected one document; merge the two, or remove the '---'\n",
    );
    // The standard tags still resolve.
    writeFileSync(config, 'targets:\n  - { name: t, kubernetes: "1.30", cilium: !!str 1.18 }\negressBlocking: [{ name: b, cidrs: [203.0.113.0/24] }]\n');
    expect((await run('synth', '-c', config, '--out', join(dir, 'dist'))).code).toBe(0);
  });

  // The yaml library resolves YAML 1.1's !!omap, !!set, !!binary and !!timestamp to a Map, Set, Buffer and Date: a
  // `matchLabels: !!omap [...]` had become {} (every pod) and a !!binary name a Buffer dump in the message.
  test.each([
    ['!!omap', '{ matchLabels: !!omap [ { app: legacy } ] }', 38],
    ['!!set', '{ matchLabels: !!set { app, legacy } }', 38],
    ['!!binary', '{ matchLabels: { app: !!binary cA== } }', 45],
    ['!!timestamp', '{ matchLabels: { app: !!timestamp 2001-12-14 } }', 45],
  ])('%s is refused where it stands, not read as an empty map or a Buffer', async (tag, selector, column) => {
    const dir = tempDir('netsec-yaml-tags-');
    const config = join(dir, 'netsec.yaml');
    writeFileSync(config, `targets:\n  - { name: t, kubernetes: "1.30", cilium: "1.18" }\nciliumPolicies:\n  - name: p\n    endpointSelector: ${selector}\n    ingressDefault: deny\n`);
    expect(await run('synth', '-c', config, '--out', join(dir, 'dist'))).toEqual({
      code: 2,
      stdout: '',
      stderr: `netsec.yaml:5:${column}: invalid YAML: the tag '${tag}' is not one netsec reads; expected plain strings, numbers, booleans, lists and maps; remove the tag\n`,
    });
  });

  test('netsec validate refuses them in manifests too, and explain in scenarios', async () => {
    const dir = tempDir('netsec-yaml-tags-');
    const manifest = join(dir, 'p.yaml');
    writeFileSync(manifest, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: p, namespace: shop }\nspec:\n  endpointSelector: { matchLabels: !!omap [ { app: web } ] }\n  ingress: [{}]\n');
    const r = await run('validate', manifest, '--cilium', '1.18');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${manifest}:5:36: invalid YAML: the tag '!!omap' is not one netsec reads; expected plain strings, numbers, booleans, lists and maps; remove the tag\n`);
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, 'target: { kubernetes: "1.30", cilium: "1.18" }\nflows: !!set { a }\n');
    expect((await run('explain', scenario)).stderr).toContain(`s.yaml:2:8: invalid YAML: the tag '!!set' is not one netsec reads; expected plain strings, numbers, booleans, lists and maps; remove the tag\n`);
  });
});
