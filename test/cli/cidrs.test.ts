import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  checkCidrsOptions, cidrsCommand, cidrsCommandModule, runAggregate, runDiff, runStats,
} from '../../src/cli/commands/cidrs.js';
import { CountryMatch } from '../../src/cidr/feeds/maxmind.js';
import { PROGRESS_MIN_BYTES } from '../../src/cli/progress.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../util.js';


const FIX = join(import.meta.dirname, '..', 'fixtures', 'cidr');
const MAXMIND = join(import.meta.dirname, '..', 'fixtures', 'maxmind');
const feed = join(FIX, 'feed.txt');
const old = join(FIX, 'feed-old.txt');
const bad = join(FIX, 'bad.txt');
const hostBits = join(FIX, 'host-bits.txt');

function capture(extra: Partial<CliIo> = {}): { io: CliIo; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrIsTTY: false, ...extra };
  return { io, out: () => stdout, err: () => stderr };
}

describe('netsec cidrs aggregate', () => {
  it('prints one canonical prefix per line, IPv4 first', async () => {
    const c = capture();
    expect(await runAggregate({ inputs: [feed] }, c.io)).toBe(0);
    expect(c.out()).toBe('192.0.2.0/24\n198.51.100.0/24\n203.0.113.0/24\n2001:db8::/32\n');
    expect(c.err()).toBe('');
  });

  it('reads stdin for "-" and applies --except prefixes and files', async () => {
    const dir = tempDir('netsec-cidrs-');
    const exceptFile = join(dir, 'except.txt');
    writeFileSync(exceptFile, '2001:db8::/33\n');
    const c = capture({ stdin: Readable.from(['192.0.2.0/24\n2001:db8::/32\n']) });
    expect(await runAggregate({ inputs: ['-'], except: ['192.0.2.0/25', exceptFile] }, c.io)).toBe(0);
    expect(c.out()).toBe('192.0.2.128/25\n2001:db8:8000::/33\n');
  });

  it("reads stdin for '-' through the CLI parser too (yargs drops a lone '-' unless main passes it through)", async () => {
    const c = capture({ stdin: Readable.from(['10.0.0.0/25\n10.0.0.128/25\n']) });
    expect(await main(['cidrs', 'aggregate', '-'], c.io)).toBe(0);
    expect(c.out()).toBe('10.0.0.0/24\n');
    const d = capture({ stdin: Readable.from(['192.0.2.0/24\n']) });
    expect(await main(['cidrs', 'diff', '-', feed], d.io)).toBe(0);
    expect(d.out()).toBe(
      '+ 198.51.100.0/24\n+ 203.0.113.0/24\n+ 2001:db8::/32\n' +
        '+3 / -0 prefixes; IPv4 addresses +512 / -0; IPv6 addresses +79,228,162,514,264,337,593,543,950,336 (2^96) / -0\n',
    );
  });

  it('an endless stdin of text that is no CIDR list stops at 100,000 invalid lines (it was read and counted forever)', async () => {
    let produced = 0;
    // An endless source, as `yes garbage` is: it never ends by itself, so the test ends only if netsec stops reading.
    const endless = new Readable({ read() { produced++; this.push('garbage\n'.repeat(1000)); } });
    const c = capture({ stdin: endless });
    expect(await main(['cidrs', 'aggregate', '-'], c.io)).toBe(2);
    endless.destroy();
    expect(c.err()).toContain('<stdin>:1:1: ');
    expect(c.err()).toContain('netsec: 100,000 invalid lines in <stdin> before netsec stopped reading at line 100,000 (this is no CIDR list) (the first 20 shown); fix them and run again.\n');
    expect(produced).toBeLessThan(1000);
  });

  it('an endless binary stdin (/dev/urandom) is refused at the first line that shows it is not text, without reading on', async () => {
    let produced = 0;
    const endless = new Readable({ read() { produced++; this.push(produced === 3 ? 'x\x00y\n' : 'junk\x01 line\n'.repeat(100)); } });
    const c = capture({ stdin: endless });
    expect(await main(['cidrs', 'aggregate', '-'], c.io)).toBe(2);
    endless.destroy();
    expect(c.err()).toBe("<stdin>:201:2: the feed is not a text file: it holds the byte 0x00 (NUL); expected one address or prefix per line; check that it is the right file\n");
    expect(produced).toBeLessThan(100);
  });

  it('writes JSON with stats (address counts as strings) and warnings', async () => {
    const c = capture();
    expect(await runAggregate({ inputs: [hostBits], lenient: true, output: 'json' }, c.io)).toBe(0);
    const doc = JSON.parse(c.out());
    expect(doc.prefixes).toEqual(['10.0.0.0/8', '192.0.2.0/24']);
    expect(doc.stats.ipv4.addresses).toBe('16777472');
    expect(doc.warnings).toEqual([{
      severity: 'warning', location: { file: hostBits, line: 1, column: 1 }, found: '10.0.0.1/8',
      message: "'10.0.0.1/8' has host bits set; normalised to '10.0.0.0/8'",
    }]);
  });

  it('prints lenient warnings on stderr with their location', async () => {
    const c = capture();
    expect(await runAggregate({ inputs: [hostBits], lenient: true }, c.io)).toBe(0);
    expect(c.err()).toBe(`warning: ${hostBits}:1:1: '10.0.0.1/8' has host bits set; normalised to '10.0.0.0/8'\n`);
  });

  it('exits 2 and lists every bad line, each starting with file:line:column', async () => {
    const c = capture();
    expect(await runAggregate({ inputs: [bad] }, c.io)).toBe(2);
    expect(c.out()).toBe('');
    expect(c.err()).toBe([
      `${bad}:1:1: '192.0.2.1/24' has host bits set; expected a network address such as '192.0.2.0/24' (use --lenient to normalise)`,
      `${bad}:3:1: 'not-a-prefix' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'`,
      `${bad}:4:12: '2001:db8::/129' has prefix length 129; expected 0-128 for IPv6`,
      `netsec: 3 invalid lines in ${bad}; fix them and run again.`,
      '',
    ].join('\n'));
  });

  it('a single bad line prints with its location; a missing file names the file', async () => {
    const c = capture();
    expect(await runAggregate({ inputs: [hostBits] }, c.io)).toBe(2);
    expect(c.err()).toBe(`${hostBits}:1:1: '10.0.0.1/8' has host bits set; expected a network address such as '10.0.0.0/8' (use --lenient to normalise)\n`);
    const m = capture();
    expect(await runAggregate({ inputs: ['/nonexistent.txt'] }, m.io)).toBe(2);
    expect(m.err()).toBe('/nonexistent.txt: cannot read this file (no such file); expected a readable file\n');
  });

  it('reads a MaxMind selection as an input', async () => {
    const c = capture();
    expect(await runAggregate({ maxmind: MAXMIND, country: ['DE', 'FR'] }, c.io)).toBe(0);
    expect(c.out()).toBe('192.0.2.0/24\n198.51.100.0/24\n2001:db8::/33\n2001:db8:8000::/34\n');
  });

  it('a --maxmind folder without one of the three CSV files says which files it must hold and which flag to fix', async () => {
    const dir = tempDir('netsec-cidrs-');
    for (const f of ['GeoLite2-Country-Blocks-IPv4.csv', 'GeoLite2-Country-Locations-en.csv']) copyFileSync(join(MAXMIND, f), join(dir, f));
    const c = capture();
    expect(await runAggregate({ maxmind: dir, country: ['DE'] }, c.io)).toBe(2);
    expect(c.err()).toBe(
      `netsec: cannot read '${join(dir, 'GeoLite2-Country-Blocks-IPv6.csv')}' (no such file); expected the GeoLite2 Country CSV files (Blocks-IPv4, Blocks-IPv6, Locations-en) in --maxmind ${dir}; fix --maxmind or add the file\n`,
    );
  });

  it('shows a progress bar only on a terminal and for large input', async () => {
    const dir = tempDir('netsec-cidrs-');
    const big = join(dir, 'big.txt');
    const line = '198.51.100.0/24\n';
    writeFileSync(big, line.repeat(Math.ceil(PROGRESS_MIN_BYTES / line.length) + 1));
    const tty = capture({ stderrIsTTY: true });
    expect(await runAggregate({ inputs: [big] }, tty.io)).toBe(0);
    expect(tty.out()).toBe('198.51.100.0/24\n');
    expect(tty.err()).toContain('reading [');
    const pipe = capture({ stderrIsTTY: false });
    await runAggregate({ inputs: [big] }, pipe.io);
    expect(pipe.err()).toBe('');
    const small = capture({ stderrIsTTY: true });
    await runAggregate({ inputs: [feed] }, small.io);
    expect(small.err()).toBe('');
  });
});

describe('netsec cidrs diff', () => {
  it('lists removed and added prefixes in address order and summarises', async () => {
    const c = capture();
    expect(await runDiff({ inputs: [old, feed] }, c.io)).toBe(0);
    expect(c.out()).toBe([
      '+ 198.51.100.0/24', // (start, length) order: the wider prefix first
      '- 198.51.100.0/25',
      '+ 203.0.113.0/24',
      '+2 / -1 prefixes; IPv4 addresses +384 / -0; IPv6 addresses +0 / -0',
      '',
    ].join('\n'));
  });

  it('writes JSON', async () => {
    const c = capture();
    await runDiff({ inputs: [feed, old], output: 'json' }, c.io);
    expect(JSON.parse(c.out())).toEqual({
      added: ['198.51.100.0/25'], removed: ['198.51.100.0/24', '203.0.113.0/24'],
      summary: {
        addedPrefixes: 1, removedPrefixes: 2,
        addedAddresses: { ipv4: '0', ipv6: '0' }, removedAddresses: { ipv4: '384', ipv6: '0' },
      },
      warnings: [],
    });
  });
});

describe('netsec cidrs stats', () => {
  it('prints counts', async () => {
    const c = capture();
    expect(await runStats({ inputs: [feed], except: ['203.0.113.0/25'] }, c.io)).toBe(0);
    expect(c.out()).toBe([
      'input lines:        12',
      'input prefixes:     9 (IPv4 6, IPv6 3)',
      'duplicates:         1',
      'contained:          2',
      'merged adjacent:    2',
      'output prefixes:    4 (IPv4 3, IPv6 1)',
      'IPv4 addresses:     640',
      'IPv6 addresses:     79,228,162,514,264,337,593,543,950,336 (2^96)',
      'excluded addresses: IPv4 128, IPv6 0',
      '',
    ].join('\n'));
  });
});

describe('checkCidrsOptions', () => {
  it('names the flags and what to do', () => {
    expect(checkCidrsOptions({ action: 'diff', inputs: ['a'] })).toBe(
      "'cidrs diff' compares two feeds; give exactly two inputs (got 1), e.g. 'netsec cidrs diff old.txt new.txt'.");
    expect(checkCidrsOptions({ action: 'diff', inputs: ['a', 'b'], maxmind: 'x', country: ['DE'] })).toBe(
      "'cidrs diff' compares two feed files; --maxmind is not supported there. Aggregate the MaxMind selection to a file first.");
    expect(checkCidrsOptions({ action: 'aggregate', inputs: [] })).toBe(
      "'cidrs aggregate' needs an input: feed files, '-' for stdin, or --maxmind DIR --country CODE.");
    expect(checkCidrsOptions({ action: 'stats', inputs: ['-', '-'] })).toBe("stdin ('-') can be read only once; give it as one input.");
    expect(checkCidrsOptions({ action: 'stats', maxmind: 'dir' })).toBe('--maxmind needs at least one --country code, e.g. --country KP.');
    expect(checkCidrsOptions({ action: 'stats', inputs: ['a'], country: ['DE'] })).toBe('--country selects from a MaxMind database; add --maxmind DIR.');
    expect(checkCidrsOptions({ action: 'aggregate', inputs: ['a'] })).toBeUndefined();
  });

  it('--match without --maxmind is refused, not ignored (it was accepted silently)', async () => {
    expect(checkCidrsOptions({ action: 'aggregate', inputs: ['a'], match: CountryMatch.REGISTERED })).toBe(
      '--match chooses which MaxMind id must match; it applies only with --maxmind DIR --country CODE. Remove it, or add --maxmind.',
    );
    expect(checkCidrsOptions({ action: 'aggregate', maxmind: 'dir', country: ['DE'], match: CountryMatch.REGISTERED })).toBeUndefined();
    let stderr = '';
    const code = await main(['cidrs', 'aggregate', '-', '--match', 'registered'], { stdout: () => undefined, stderr: (t) => (stderr += t), stderrIsTTY: false });
    expect({ code, stderr: stderr.split('\n')[0] }).toEqual({ code: 2, stderr: 'netsec: --match chooses which MaxMind id must match; it applies only with --maxmind DIR --country CODE. Remove it, or add --maxmind.' });
  });

  it('a usage error exits 2', async () => {
    const c = capture();
    expect(await runDiff({ inputs: [feed] }, c.io)).toBe(2);
    expect(c.err()).toBe("netsec: 'cidrs diff' compares two feeds; give exactly two inputs (got 1), e.g. 'netsec cidrs diff old.txt new.txt'.\n");
  });

  it('an unexpected error exits 3 without a stack trace unless --verbose', async () => {
    const boom: CliIo = { stdout: () => { throw new Error('disk full'); }, stderr: () => undefined, stderrIsTTY: false };
    let stderr = '';
    const io: CliIo = { ...boom, stderr: (t) => (stderr += t) };
    expect(await runAggregate({ inputs: [feed] }, io)).toBe(3);
    expect(stderr).toBe('netsec: internal error: disk full\nThis is a bug in netsec; run again with --verbose for a stack trace and report it.\n');
  });
});

describe('wired into main', () => {
  it('runs through yargs with choices and repeatable flags', async () => {
    const c = capture();
    expect(await main(['cidrs', 'aggregate', feed, '--except', '192.0.2.0/24', '--except', '2001:db8::/32'], c.io, [cidrsCommand])).toBe(0);
    expect(c.out()).toBe('198.51.100.0/24\n203.0.113.0/24\n');
    const u = capture();
    expect(await main(['cidrs', 'merge', feed], u.io, [cidrsCommand])).toBe(2);
    expect(u.err()).toContain('Invalid values');
  });
});

describe('as a yargs CommandModule', () => {
  it('runs with plain yargs and sets the exit code', async () => {
    const { default: yargs } = await import('yargs');
    const c = capture();
    const saved = process.exitCode;
    await yargs().command(cidrsCommandModule(c.io)).parseAsync(['cidrs', 'stats', feed, '--output', 'json']);
    expect(process.exitCode).toBe(0);
    process.exitCode = saved;
    expect(JSON.parse(c.out()).stats.outputPrefixes).toBe(4);
  });
});
