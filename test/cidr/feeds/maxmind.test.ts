import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregate, CidrParseError, CountryMatch, formatDiagnostic, readMaxMindCountries } from '../../../src/cidr/index.js';
import { splitCsvLine } from '../../../src/cidr/feeds/maxmind.js';

const DIR = join(import.meta.dirname, '../../fixtures/maxmind');
const BAD = join(DIR, 'bad');

const select = async (countries: string[], match?: CountryMatch) => {
  const r = await readMaxMindCountries({ directory: DIR, countries, match });
  return aggregate(r.prefixes).set.toStrings();
};

describe('readMaxMindCountries', () => {
  it('selects by the located country (geoname_id) by default and aggregates', async () => {
    expect(await select(['DE'])).toEqual(['192.0.2.0/24', '2001:db8::/33']);
  });

  it('selects by registered country, or either', async () => {
    expect(await select(['DE'], CountryMatch.REGISTERED)).toEqual(['192.0.2.0/24', '198.51.100.0/24', '2001:db8::/33', '2001:db8:c000::/34']);
    expect(await select(['US'], CountryMatch.LOCATED)).toEqual([]);
    expect(await select(['US'], CountryMatch.REGISTERED)).toEqual(['203.0.113.64/26']);
    expect(await select(['de', 'JP'], CountryMatch.EITHER)).toEqual([
      '192.0.2.0/24', '198.51.100.0/24', '2001:db8::/33', '2001:db8:c000::/34', '3fff:0:1::/48',
    ]);
  });

  it('returns the countries with names from the locations file (quoted fields included)', async () => {
    const r = await readMaxMindCountries({ directory: DIR, countries: ['kr', 'FR'] });
    expect(r.countries).toEqual([
      { code: 'KR', geonameId: 1835841, name: 'Korea, Republic of' },
      { code: 'FR', geonameId: 3017382, name: 'France' },
    ]);
    expect(r.rowsRead).toBe(10);
    expect(r.rowsMatched).toBe(3);
  });

  it('refuses unknown and malformed country codes', async () => {
    const loc = join(DIR, 'GeoLite2-Country-Locations-en.csv');
    await expect(select(['XX'])).rejects.toThrow(
      `unknown country code 'XX' in ${loc}; expected one of the 2-letter codes it lists, e.g. 'DE'`);
    await expect(select(['XX', 'DE', 'YY'])).rejects.toThrow(
      `unknown country codes 'XX', 'YY' in ${loc}; expected 2-letter codes it lists, e.g. 'DE'`);
    await expect(select(['DEU'])).rejects.toThrow("'DEU' is not a 2-letter ISO 3166-1 country code; expected a code such as 'DE'");
  });

  it('can skip a family', async () => {
    const r = await readMaxMindCountries({ directory: DIR, countries: ['DE'], blocksIPv6File: null });
    expect(aggregate(r.prefixes).set.toStrings()).toEqual(['192.0.2.0/24']);
  });

  it('reports bad rows with file, line and column', async () => {
    const file = join(BAD, 'GeoLite2-Country-Blocks-IPv4.csv');
    const err = await readMaxMindCountries({ directory: BAD, countries: ['DE'], blocksIPv6File: null }).catch((e: unknown) => e) as CidrParseError;
    expect(err).toBeInstanceOf(CidrParseError);
    expect(err.diagnostics.map(formatDiagnostic)).toEqual([
      `${file}:3:9: '192.0.2.300/32' has octet 300 out of range; expected 0-255`,
      `${file}:4:17: 'DE' in column 'geoname_id' is not a geoname id; expected a decimal number or an empty field`,
      `${file}:5:1: '203.0.113.1/24' has host bits set; expected a network address such as '203.0.113.0/24'`,
    ]);
  });

  it('names files under directoryName and codes where locateCountry says they are written', async () => {
    const err = await readMaxMindCountries({ directory: BAD, directoryName: 'geo/bad', countries: ['DE'], blocksIPv6File: null }).catch((e: unknown) => e) as CidrParseError;
    expect(err.message.split('\n')[0]).toBe("geo/bad/GeoLite2-Country-Blocks-IPv4.csv:3:9: '192.0.2.300/32' has octet 300 out of range; expected 0-255");
    const locateCountry = (i: number) => ({ file: 'netsec.yaml', line: 7, column: 20 + 4 * i });
    await expect(readMaxMindCountries({ directory: DIR, directoryName: 'geo', countries: ['DE', 'XX', 'YY'], locateCountry })).rejects.toThrow([
      "netsec.yaml:7:24: unknown country code 'XX' in geo/GeoLite2-Country-Locations-en.csv; expected one of the 2-letter codes it lists, e.g. 'DE'",
      "netsec.yaml:7:28: unknown country code 'YY' in geo/GeoLite2-Country-Locations-en.csv; expected one of the 2-letter codes it lists, e.g. 'DE'",
      '2 country codes are not in geo/GeoLite2-Country-Locations-en.csv; fix them and run again.',
    ].join('\n'));
  });

  it('checks the header by column name', async () => {
    await expect(readMaxMindCountries({ directory: BAD, countries: ['DE'], blocksIPv4File: null })).rejects.toThrow(
      "the header has no 'network' column; expected a GeoLite2 Country blocks header such as 'network,geoname_id,registered_country_geoname_id,…'");
  });

  it('refuses a device or FIFO named as a CSV at its first line that does not end, instead of reading until memory runs out', async () => {
    await expect(readMaxMindCountries({ directory: DIR, countries: ['DE'], blocksIPv4File: '/dev/zero', blocksIPv6File: null })).rejects.toMatchObject({
      message: '/dev/zero:1:1: a line is longer than 1,048,576 bytes; expected GeoLite2 CSV rows (network,geoname_id,...); check that it is the right file',
    });
    await expect(readMaxMindCountries({ directory: DIR, countries: ['DE'], locationsFile: '/dev/zero' })).rejects.toMatchObject({
      message: '/dev/zero:1:1: a line is longer than 1,048,576 bytes; expected GeoLite2 CSV rows (geoname_id,locale_code,...); check that it is the right file',
    });
  });

  it('reads a blocks file from a FIFO (`<(unzip -p ...)`) as from the file', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'netsec-maxmind-')), 'blocks.csv');
    try {
      execFileSync('mkfifo', [fifo]);
      const blocks = join(DIR, 'GeoLite2-Country-Blocks-IPv4.csv');
      // Another process writes the FIFO, as a shell's process substitution does.
      const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', blocks, fifo], { stdio: 'ignore' });
      const written = new Promise((done) => writer.once('exit', done)); // before it can exit unheard
      const fromFifo = await readMaxMindCountries({ directory: DIR, countries: ['DE'], blocksIPv4File: fifo, blocksIPv6File: null });
      expect(await written).toBe(0);
      const fromFile = await readMaxMindCountries({ directory: DIR, countries: ['DE'], blocksIPv6File: null });
      expect(aggregate(fromFifo.prefixes).set.toStrings()).toEqual(['192.0.2.0/24']);
      expect(fromFifo.rowsRead).toBe(fromFile.rowsRead);
    } finally {
      rmSync(dirname(fifo), { recursive: true, force: true });
    }
  });

  it('reports progress across all files', async () => {
    const seen: number[] = [];
    let total = 0;
    await readMaxMindCountries({ directory: DIR, countries: ['DE'], onProgress: (d, t) => { seen.push(d); total = t ?? 0; } });
    expect(seen.at(-1)).toBe(total);
    expect(total).toBeGreaterThan(0);
  });
});

describe('splitCsvLine', () => {
  it('handles quotes and escaped quotes', () => {
    expect(splitCsvLine('1,"a, b","say ""hi""",,x')).toEqual(['1', 'a, b', 'say "hi"', '', 'x']);
  });
});
