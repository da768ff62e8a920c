/**
 * MaxMind GeoLite2 Country CSV: select networks by ISO country code.
 *
 * The database ships three files (names fixed by MaxMind):
 * - `GeoLite2-Country-Locations-en.csv`: `geoname_id,locale_code,continent_code,continent_name,country_iso_code,
 *   country_name,is_in_european_union` maps a country code to its geoname id (continent-only rows have no code).
 * - `GeoLite2-Country-Blocks-IPv4.csv` / `-IPv6.csv`: `network,geoname_id,registered_country_geoname_id,
 *   represented_country_geoname_id,is_anonymous_proxy,is_satellite_provider,is_anycast`. `geoname_id` is the country
 *   where the network is located; `registered_country_geoname_id` the one where the ISP registered it. Either can be
 *   empty.
 *
 * Columns are found by header name, so older files without `is_anycast` (or with extra columns) work too.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NetsecError, SourceLocation, echo, escapeControls } from '../../core/errors.js';
import { PrefixScanner } from '../_scan.js';
import { acceptToken, DEFAULT_MAX_ERRORS, DiagnosticCollector } from '../parse.js';
import { PrefixList } from '../prefix-list.js';
import { readFileBuffer, type ProgressCallback } from './read.js';

/** Which geoname id of a block must name a selected country. */
export enum CountryMatch {
  /** `geoname_id`: where MaxMind locates the network (the usual meaning of geo-blocking). */
  LOCATED = 'located',
  /** `registered_country_geoname_id`: where the network is registered. */
  REGISTERED = 'registered',
  /** Either of the two (blocks the most). */
  EITHER = 'either',
}

/** The file names MaxMind uses inside the GeoLite2 Country CSV archive. */
export const GEOLITE2_COUNTRY_FILES = {
  locations: 'GeoLite2-Country-Locations-en.csv',
  blocksIPv4: 'GeoLite2-Country-Blocks-IPv4.csv',
  blocksIPv6: 'GeoLite2-Country-Blocks-IPv6.csv',
} as const;

/** Options for `readMaxMindCountries`. */
export interface MaxMindCountryOptions {
  /** ISO 3166-1 alpha-2 codes to select (case-insensitive), e.g. `['RU', 'KP']`. */
  readonly countries: readonly string[];
  /** Folder holding the three CSV files under their MaxMind names. @default - the explicit file options are required */
  readonly directory?: string;
  /** Path of the locations file. @default `${directory}/GeoLite2-Country-Locations-en.csv` */
  readonly locationsFile?: string;
  /** Path of the IPv4 blocks file; `null` skips IPv4. @default `${directory}/GeoLite2-Country-Blocks-IPv4.csv` */
  readonly blocksIPv4File?: string | null;
  /** Path of the IPv6 blocks file; `null` skips IPv6. @default `${directory}/GeoLite2-Country-Blocks-IPv6.csv` */
  readonly blocksIPv6File?: string | null;
  /** Which geoname id must match. @default CountryMatch.LOCATED */
  readonly match?: CountryMatch;
  /** Append to this list instead of a new one. */
  readonly into?: PrefixList;
  /** Errors kept in detail per file. @default 20 */
  readonly maxErrors?: number;
  /** Progress over all three files (bytes read, total bytes). */
  readonly onProgress?: ProgressCallback;
  /**
   * How messages name `directory` (e.g. as netsec.yaml writes it, relative to its folder), so that no absolute path
   * reaches a message or an output file. @default directory
   */
  readonly directoryName?: string;
  /** Where country code `index` of `countries` is written (e.g. its netsec.yaml line), for messages about it. @default - not located */
  readonly locateCountry?: (index: number) => SourceLocation | undefined;
}

/** A selected country as the locations file names it. */
export interface MaxMindCountry {
  readonly code: string;
  readonly geonameId: number;
  readonly name: string;
}

/** What `readMaxMindCountries` returns. */
export interface MaxMindCountryResult {
  /** Networks of the selected countries, unaggregated. */
  readonly prefixes: PrefixList;
  /** The selected countries, in the order given. */
  readonly countries: readonly MaxMindCountry[];
  /** Data rows read from the blocks files. */
  readonly rowsRead: number;
  /** Rows that matched a selected country. */
  readonly rowsMatched: number;
}

/** Splits one CSV record (RFC 4180 quoting with `""` escapes; no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          v += line.slice(i);
          i = line.length;
          break;
        }
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      const comma = line.indexOf(',', i);
      if (comma < 0) return out;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** What a GeoLite2 Country blocks file holds, as messages say it. */
const BLOCKS_ROWS = 'GeoLite2 CSV rows (network,geoname_id,...)';
/** What a GeoLite2 Country locations file holds, as messages say it. */
const LOCATIONS_ROWS = 'GeoLite2 CSV rows (geoname_id,locale_code,...)';

function headerError(file: string, column: string, kind: 'blocks' | 'locations'): NetsecError {
  const expected = kind === 'blocks'
    ? 'network,geoname_id,registered_country_geoname_id,…'
    : 'geoname_id,locale_code,continent_code,continent_name,country_iso_code,…';
  return new NetsecError('CONFIG', `the header has no '${column}' column; expected a GeoLite2 Country ${kind} header such as '${expected}'`, { file, line: 1, column: 1 });
}

/** Parses the locations file into code → country. */
export function parseMaxMindLocations(text: string, file: string): Map<string, MaxMindCountry> {
  const lines = text.split('\n');
  const header = splitCsvLine((lines[0] ?? '').replace(/^\ufeff/, '').replace(/\r$/, ''));
  const idCol = header.indexOf('geoname_id');
  const codeCol = header.indexOf('country_iso_code');
  const nameCol = header.indexOf('country_name');
  if (idCol < 0) throw headerError(file, 'geoname_id', 'locations');
  if (codeCol < 0) throw headerError(file, 'country_iso_code', 'locations');
  const out = new Map<string, MaxMindCountry>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const f = splitCsvLine(line);
    const code = f[codeCol] ?? '';
    if (code === '') continue; // continent-only rows
    const id = f[idCol] ?? '';
    if (!/^[0-9]+$/.test(id)) {
      throw new NetsecError('CONFIG', `'${echo(id)}' in column 'geoname_id' is not a geoname id; expected a decimal number`, { file, line: i + 1, column: 1 });
    }
    out.set(code.toUpperCase(), { code: code.toUpperCase(), geonameId: Number(id), name: nameCol >= 0 ? f[nameCol] ?? '' : '' });
  }
  return out;
}

/**
 * Resolves country codes against the locations file; unknown or malformed codes are errors, every one reported, each
 * where `locate` says the code is written (a netsec.yaml line), else unlocated (a `--country` flag).
 */
export function resolveCountries(
  codes: readonly string[], known: ReadonlyMap<string, MaxMindCountry>, file: string, locate: (index: number) => SourceLocation | undefined = () => undefined,
): MaxMindCountry[] {
  const example = known.has('DE') ? 'DE' : [...known.keys()].sort()[0] ?? 'DE';
  const out: MaxMindCountry[] = [];
  const problems: { location?: SourceLocation; message: string }[] = [];
  const unknown: string[] = [];
  codes.forEach((raw, i) => {
    const code = raw.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(code)) {
      problems.push({ location: locate(i), message: `'${echo(raw)}' is not a 2-letter ISO 3166-1 country code; expected a code such as '${example}'` });
      return;
    }
    const c = known.get(code);
    if (c === undefined) {
      unknown.push(code);
      problems.push({ location: locate(i), message: `unknown country code '${code}' in ${file}; expected one of the 2-letter codes it lists, e.g. '${example}'` });
    } else if (!out.includes(c)) out.push(c);
  });
  if (problems.length === 1) throw new NetsecError('CONFIG', problems[0]!.message, problems[0]!.location);
  if (problems.length > 1) {
    // Unlocated (flags): one line naming them all, as before; located: one line per code.
    if (problems.every((p) => p.location === undefined) && unknown.length === problems.length) {
      throw new NetsecError('CONFIG', `unknown country codes ${unknown.map((u) => `'${u}'`).join(', ')} in ${file}; expected 2-letter codes it lists, e.g. '${example}'`);
    }
    const summary = `${problems.length} country codes are not in ${file}; fix them and run again.`;
    throw new NetsecError('CONFIG', summary, undefined, { problems, summary });
  }
  return out;
}

/** Reads a decimal id in `buf[start, end)`: -1 when empty, -2 when not a number. */
function readId(buf: Uint8Array, start: number, end: number): number {
  if (start === end) return -1;
  let v = 0;
  for (let p = start; p < end; p++) {
    const c = buf[p]!;
    if (c < 48 || c > 57) return -2;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * Scans a blocks file and appends the networks whose ids match. Byte-level like the plain parser: the IPv4 file
 * has several hundred thousand rows. Only matching rows have their network parsed and checked.
 */
export function scanMaxMindBlocks(
  buf: Buffer, file: string, ids: ReadonlySet<number>, match: CountryMatch, out: PrefixList, maxErrors = DEFAULT_MAX_ERRORS,
): { rows: number; matched: number } {
  const n = buf.length;
  let p = n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let nl = buf.indexOf(10, p);
  const headerEnd = nl < 0 ? n : nl;
  const header = splitCsvLine(buf.toString('utf8', p, headerEnd).replace(/\r$/, ''));
  const netCol = header.indexOf('network');
  const geoCol = header.indexOf('geoname_id');
  const regCol = header.indexOf('registered_country_geoname_id');
  if (netCol < 0) throw headerError(file, 'network', 'blocks');
  if (geoCol < 0) throw headerError(file, 'geoname_id', 'blocks');
  if (regCol < 0) throw headerError(file, 'registered_country_geoname_id', 'blocks');
  const lastCol = Math.max(netCol, geoCol, regCol);
  const diags = new DiagnosticCollector(file, maxErrors, BLOCKS_ROWS);
  const scanner = new PrefixScanner();
  const wantGeo = match !== CountryMatch.REGISTERED;
  const wantReg = match !== CountryMatch.LOCATED;
  const starts = new Int32Array(lastCol + 2);
  let line = 1;
  let rows = 0;
  let matched = 0;
  p = headerEnd + 1;
  while (p < n) {
    line++;
    const lineStart = p;
    nl = buf.indexOf(10, p);
    let lineEnd = nl < 0 ? n : nl;
    const next = lineEnd + 1;
    if (lineEnd > p && buf[lineEnd - 1] === 13) lineEnd--;
    if (lineEnd === p) {
      p = next;
      continue;
    }
    rows++;
    // Field boundaries up to the last column we need; field k is [starts[k], starts[k+1] - 1).
    starts[0] = p;
    let k = 0;
    let q = p;
    while (k <= lastCol && q < lineEnd) {
      if (buf[q] === 44) starts[++k] = q + 1;
      q++;
    }
    if (k <= lastCol) starts[++k] = lineEnd + 1;
    if (k <= lastCol) {
      diags.error(buf, lineStart, line, lineEnd, buf.toString('utf8', lineStart, lineEnd),
        `the row has ${k} fields; expected at least ${lastCol + 1} (network and geoname id columns)`);
      p = next;
      continue;
    }
    const fieldEnd = (c: number) => starts[c + 1]! - 1;
    const geo = wantGeo ? readId(buf, starts[geoCol]!, fieldEnd(geoCol)) : -1;
    const reg = wantReg ? readId(buf, starts[regCol]!, fieldEnd(regCol)) : -1;
    if (geo === -2 || reg === -2) {
      const col = geo === -2 ? geoCol : regCol;
      const found = buf.toString('utf8', starts[col]!, fieldEnd(col));
      diags.error(buf, lineStart, line, starts[col]!, found,
        `'${echo(found)}' in column '${echo(header[col]!)}' is not a geoname id; expected a decimal number or an empty field`);
      p = next;
      continue;
    }
    if ((geo >= 0 && ids.has(geo)) || (reg >= 0 && ids.has(reg))) {
      matched++;
      let s = starts[netCol]!;
      let e = fieldEnd(netCol);
      if (buf[s] === 34 && e - s >= 2 && buf[e - 1] === 34) {
        s++;
        e--;
      }
      let colon = false;
      for (let i = s; i < e; i++) if (buf[i] === 58) colon = true;
      acceptToken(scanner, buf, s, e, colon, lineStart, line, false, '', out, diags);
    }
    p = next;
  }
  diags.throwIfErrors();
  return { rows, matched };
}

/**
 * Reads GeoLite2 Country CSV files and returns the networks of the given countries (unaggregated; pass them to
 * `aggregate`). Unknown country codes are errors naming the locations file; malformed rows are reported with
 * file, line and column like plain feeds.
 *
 * @example
 * const { prefixes } = await readMaxMindCountries({ directory: 'GeoLite2-Country-CSV_20250101', countries: ['KP'] });
 */
export async function readMaxMindCountries(options: MaxMindCountryOptions): Promise<MaxMindCountryResult> {
  const dir = options.directory;
  const pathOf = (explicit: string | null | undefined, name: string): string | undefined => {
    if (explicit === null) return undefined;
    if (explicit !== undefined) return explicit;
    if (dir === undefined) return undefined;
    return join(dir, name);
  };
  const locationsFile = pathOf(options.locationsFile, GEOLITE2_COUNTRY_FILES.locations);
  const v4File = pathOf(options.blocksIPv4File, GEOLITE2_COUNTRY_FILES.blocksIPv4);
  const v6File = pathOf(options.blocksIPv6File, GEOLITE2_COUNTRY_FILES.blocksIPv6);
  // Files found in `directory` are named under `directoryName` in messages; explicit paths as given.
  const names = new Map<string, string>();
  for (const [explicit, name] of [
    [options.locationsFile, GEOLITE2_COUNTRY_FILES.locations], [options.blocksIPv4File, GEOLITE2_COUNTRY_FILES.blocksIPv4], [options.blocksIPv6File, GEOLITE2_COUNTRY_FILES.blocksIPv6],
  ] as const) {
    const path = pathOf(explicit, name);
    if (path === undefined) continue;
    names.set(path, explicit === undefined && options.directoryName !== undefined ? `${options.directoryName.replace(/\/+$/, '')}/${name}` : escapeControls(path));
  }
  const nameOf = (f: string): string => names.get(f) ?? escapeControls(f);
  if (locationsFile === undefined || (v4File === undefined && v6File === undefined)) {
    throw new NetsecError('USAGE', 'MaxMind input needs the locations file and at least one blocks file; give a directory or the file paths');
  }
  if (options.countries.length === 0) {
    throw new NetsecError('USAGE', 'no country codes given; expected at least one 2-letter ISO 3166-1 code such as \'DE\'');
  }
  const files = [locationsFile, v4File, v6File].filter((f): f is string => f !== undefined);
  // Progress spans all files: sizes first, then a running offset.
  const sizes = await Promise.all(files.map(async (f) => {
    try {
      return (await stat(f)).size;
    } catch {
      return 0; // readFileBuffer reports the real error
    }
  }));
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const read = async (f: string): Promise<Buffer> => {
    const base = done;
    const expected = f === locationsFile ? LOCATIONS_ROWS : BLOCKS_ROWS;
    const buf = await readFileBuffer(f, options.onProgress ? (b) => options.onProgress!(base + b, total) : undefined, nameOf(f), expected);
    done = base + buf.length;
    return buf;
  };
  const known = parseMaxMindLocations((await read(locationsFile)).toString('utf8'), nameOf(locationsFile));
  const countries = resolveCountries(options.countries, known, nameOf(locationsFile), options.locateCountry);
  const ids = new Set(countries.map((c) => c.geonameId));
  const match = options.match ?? CountryMatch.LOCATED;
  const out = options.into ?? new PrefixList(1024);
  let rows = 0;
  let matched = 0;
  for (const f of [v4File, v6File]) {
    if (f === undefined) continue;
    const r = scanMaxMindBlocks(await read(f), nameOf(f), ids, match, out, options.maxErrors);
    rows += r.rows;
    matched += r.matched;
  }
  return { prefixes: out, countries, rowsRead: rows, rowsMatched: matched };
}
