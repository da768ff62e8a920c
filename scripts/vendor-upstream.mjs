#!/usr/bin/env node
// Copies what netsec needs from the shared upstream data (../shared/upstream by default, or the path given as the
// first argument) into upstream/, verifying every file against the sha256 in upstream's MANIFEST.tsv, and then
// regenerates schemas/ (strict JSON Schemas per product, version line and served apiVersion) from those copies,
// with a precompiled validator beside each schema (scripts/compile-validators.mjs).
//
// ../shared is a development input only: users who install netsec have no ../shared, so everything the product
// reads at run time (schemas/, upstream/reference/) lives in the repository and ships in the package.
//
//   node scripts/vendor-upstream.mjs [path/to/shared/upstream]     copy + regenerate
//   node scripts/vendor-upstream.mjs --schemas-only [--out DIR]     regenerate schemas/ (or DIR) from upstream/ only
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { compileCoreKindValidators, compileCrdValidators } from './compile-validators.mjs';
import { schemasFromCrd } from './crd-schema.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vendored = join(root, 'upstream');

/** Files of the shared upstream tree that the product or its tests use (paths relative to upstream/). */
const WANTED = [
  /^crds\/cilium\/1\.(16|17|18|19|20)\/[a-z]+\.yaml$/,
  /^crds\/calico\/v3\.\d+\.\d+\/.*\.yaml$/,
  /^crds\/istio\/.*\.yaml$/,
  /^crds\/(cilium|calico|istio)\/summary\.json$/,
  /^reference\/cilium-enums\/1\.(16|17|18|19|20)\/.*\.json$/,
  /^reference\/cilium-helm-values\/.*$/,
  /^reference\/cilium-lrp-nodelocaldns\/.*$/,
  /^reference\/nodelocaldns\.yaml$/,
];

/**
 * Which upstream copy validates which supported version line. Where upstream data has no copy for a line, the
 * nearest older line with the same API shape stands in, and `schemaSource` records it so the output can say so.
 */
export const SCHEMA_LINES = {
  cilium: { '1.16': 'crds/cilium/1.16', '1.17': 'crds/cilium/1.17', '1.18': 'crds/cilium/1.18', '1.19': 'crds/cilium/1.19', '1.20': 'crds/cilium/1.20' },
  // Calico 3.29 has no tiers in the OSS CRDs (tiers arrive in 3.30), so 3.28.5 stands in; 3.31 is checked against 3.30.7.
  calico: { '3.28': 'crds/calico/v3.28.5', '3.29': 'crds/calico/v3.28.5', '3.30': 'crds/calico/v3.30.7', '3.31': 'crds/calico/v3.30.7', '3.32': 'crds/calico/v3.32.1' },
  // Istio's security/networking CRDs are checked against the newest stable copy (1.30.3); their v1 APIs exist since 1.22.
  // The IstioOperator CRD was last shipped in 1.23 (crds/istio/1.23.6/crd-operator.yaml).
  istio: Object.fromEntries(['1.23', '1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30'].map((l) => [l, l === '1.23' ? 'crds/istio/1.30.3+crds/istio/1.23.6' : 'crds/istio/1.30.3'])),
};

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

function copyFromShared(shared) {
  const manifest = readFileSync(join(shared, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n');
  const header = manifest[0].split('\t');
  const rows = manifest.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i], v])));
  const kept = rows.filter((r) => WANTED.some((re) => re.test(r.file))).sort((a, b) => (a.file < b.file ? -1 : 1));
  rmSync(vendored, { recursive: true, force: true });
  for (const row of kept) {
    const src = join(shared, row.file);
    const digest = sha256(readFileSync(src));
    if (digest !== row.sha256) throw new Error(`${row.file}: sha256 ${digest} does not match MANIFEST.tsv (${row.sha256})`);
    mkdirSync(dirname(join(vendored, row.file)), { recursive: true });
    cpSync(src, join(vendored, row.file));
  }
  const lines = [header.join('\t'), ...kept.map((r) => header.map((h) => r[h]).join('\t'))];
  writeFileSync(join(vendored, 'PROVENANCE.tsv'), lines.join('\n') + '\n');
  writeFileSync(
    join(vendored, 'README.md'),
    [
      '# Vendored upstream data',
      '',
      'Byte-for-byte copies of the upstream files netsec needs (CRDs per version line, Cilium enums, Helm values excerpts,',
      'reference manifests), taken from the shared upstream data set by `npm run vendor`. `PROVENANCE.tsv` names each file\'s',
      'upstream repository, path, tag, commit, blob id, license and sha256; a test checks every copy against it.',
      'Do not edit: re-run `npm run vendor` instead. `schemas/` and `imports/` are generated from these files.',
      '',
    ].join('\n'),
  );
  return kept.length;
}

function generateSchemas(out) {
  rmSync(out, { recursive: true, force: true });
  const index = {};
  const sourcesDone = new Map();
  for (const [product, lines] of Object.entries(SCHEMA_LINES)) {
    index[product] = {};
    for (const [line, sourceSpec] of Object.entries(lines)) {
      const kinds = {};
      for (const source of sourceSpec.split('+')) {
        if (!sourcesDone.has(source)) sourcesDone.set(source, writeSource(source, out));
        Object.assign(kinds, sourcesDone.get(source));
      }
      index[product][line] = { source: sourceSpec, kinds: Object.fromEntries(Object.entries(kinds).sort()) };
    }
  }
  writeFileSync(join(out, 'index.json'), JSON.stringify(index, null, 1) + '\n');
}

/** Writes the schemas of every CRD under one upstream folder; returns `{ 'group/version Kind': entry }`. */
function writeSource(source, out) {
  const dir = join(vendored, source);
  const kinds = {};
  for (const file of listFiles(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS());
    for (const crd of docs) {
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      for (const s of schemasFromCrd(crd)) {
        const name = `${s.apiVersion.replace('/', '_')}_${s.kind}.json`;
        const rel = join(source.replace(/^crds\//, ''), name);
        mkdirSync(dirname(join(out, rel)), { recursive: true });
        writeFileSync(join(out, rel), JSON.stringify(s.schema) + '\n');
        // celRules: how many CEL rules the schema lists under x-netsec-cel, so objects of kinds without rules never
        // load the CEL evaluator or the schema file.
        const celRules = s.schema['x-netsec-cel']?.length ?? 0;
        kinds[`${s.apiVersion} ${s.kind}`] = { file: rel, scope: s.scope, deprecated: s.deprecated, upstreamFile: join(source, file), ...(celRules ? { celRules } : {}), ...(s.statusSubresource ? { statusSubresource: true } : {}) };
      }
    }
  }
  return kinds;
}

const args = process.argv.slice(2);
const outFlag = args.indexOf('--out');
const schemasOut = outFlag >= 0 ? resolve(args[outFlag + 1]) : join(root, 'schemas');
if (!args.includes('--schemas-only')) {
  const shared = resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out') ?? join(root, '..', 'shared', 'upstream'));
  if (!existsSync(join(shared, 'MANIFEST.tsv'))) {
    console.error(`vendor-upstream: no MANIFEST.tsv under ${shared}; pass the path of the shared upstream folder.`);
    process.exit(2);
  }
  console.log(`vendor-upstream: copied ${copyFromShared(shared)} files from ${shared} into upstream/`);
}
generateSchemas(schemasOut);
compileCrdValidators(schemasOut);
await compileCoreKindValidators(join(schemasOut, 'kubernetes', 'core-kinds.validate.cjs'));
console.log(`vendor-upstream: regenerated ${relative(root, schemasOut) || schemasOut}`);
