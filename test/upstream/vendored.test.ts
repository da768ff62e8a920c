import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const root = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'netsec-regen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('vendored upstream data', () => {
  test('every vendored file matches the sha256 its provenance row records', () => {
    const [header, ...rows] = readFileSync(join(root, 'upstream', 'PROVENANCE.tsv'), 'utf8').trimEnd().split('\n');
    const cols = header.split('\t');
    const file = cols.indexOf('file');
    const sha = cols.indexOf('sha256');
    expect(rows.length).toBeGreaterThan(60);
    for (const row of rows) {
      const parts = row.split('\t');
      const digest = createHash('sha256').update(readFileSync(join(root, 'upstream', parts[file]))).digest('hex');
      expect({ file: parts[file], digest }).toEqual({ file: parts[file], digest: parts[sha] });
    }
  });

  test('schemas/ is exactly what the vendor script generates from upstream/', () => {
    const out = join(work, 'schemas');
    execFileSync('node', [join(root, 'scripts', 'vendor-upstream.mjs'), '--schemas-only', '--out', out]);
    expect(tree(out)).toEqual(tree(join(root, 'schemas')));
  });

  test('imports/ is exactly what `npm run import` generates from upstream/ (offline)', () => {
    const out = join(work, 'imports');
    execFileSync('node', [join(root, 'scripts', 'import-crds.mjs'), out], { stdio: 'pipe' });
    expect(tree(out)).toEqual(tree(join(root, 'imports')));
  });
});

describe('generated schemas', () => {
  test('every schema has a precompiled validator that loads (RE2 patterns translated for JavaScript)', async () => {
    const { validatorFor } = await import('../../src/core/validation/manifest-validator.js');
    const index = JSON.parse(readFileSync(join(root, 'schemas', 'index.json'), 'utf8')) as Record<string, Record<string, { kinds: Record<string, { file: string }> }>>;
    const files = new Set<string>();
    for (const lines of Object.values(index)) for (const line of Object.values(lines)) for (const k of Object.values(line.kinds)) files.add(k.file);
    expect(files.size).toBeGreaterThan(60);
    for (const file of files) expect(typeof validatorFor(file)).toBe('function');
  });
});
