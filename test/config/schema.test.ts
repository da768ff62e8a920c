import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { buildConfigSchema } from '../../src/config/schema.js';
import { SECTIONS } from '../../src/config/sections/index.js';

const root = join(__dirname, '..', '..');

test('the shipped netsec.schema.json is the schema the loader validates with (run `npm run schema` after changing a section)', async () => {
  const shipped = JSON.parse(readFileSync(join(root, 'netsec.schema.json'), 'utf8'));
  expect(shipped).toEqual(buildConfigSchema(SECTIONS));
});

test('the precompiled netsec.schema.validate.cjs is what `npm run schema` generates from netsec.schema.json', () => {
  const work = mkdtempSync(join(tmpdir(), 'netsec-config-validator-'));
  try {
    const out = join(work, 'validate.cjs');
    execFileSync('node', [join(root, 'scripts', 'compile-validators.mjs'), '--config', join(root, 'netsec.schema.json'), out]);
    // Compared as a flag: a diff of a generated validator is unreadable; regenerate with `npm run schema`.
    expect(readFileSync(out, 'utf8') === readFileSync(join(root, 'netsec.schema.validate.cjs'), 'utf8')).toBe(true);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the bundled core-kind validators are what `npm run vendor` generates from kubernetes-models', () => {
  const work = mkdtempSync(join(tmpdir(), 'netsec-core-validators-'));
  try {
    const out = join(work, 'core-kinds.validate.cjs');
    execFileSync('node', [join(root, 'scripts', 'compile-validators.mjs'), '--core', out]);
    expect(readFileSync(out, 'utf8') === readFileSync(join(root, 'schemas', 'kubernetes', 'core-kinds.validate.cjs'), 'utf8')).toBe(true);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the CRD validators and CEL fast paths under schemas/ are what `npm run vendor` generates from the schemas there', () => {
  const work = mkdtempSync(join(tmpdir(), 'netsec-crd-validators-'));
  try {
    const generated = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.cjs') && !f.startsWith('kubernetes')).sort();
    cpSync(join(root, 'schemas'), work, { recursive: true, filter: (src) => !src.endsWith('.cjs') });
    execFileSync('node', [join(root, 'scripts', 'compile-validators.mjs'), '--crds', work]);
    expect(generated(work)).toEqual(generated(join(root, 'schemas')));
    // Compared as flags (see above); regenerate with `npm run vendor`.
    const differing = generated(work).filter((f) => readFileSync(join(work, f), 'utf8') !== readFileSync(join(root, 'schemas', f), 'utf8'));
    expect(differing).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
