#!/usr/bin/env node
// Regenerates imports/ (typed cdk8s L1 classes) with `cdk8s import`, offline, from the CRDs vendored in upstream/.
// One version line per CRD family gives the types (the validator still checks every object against its target's own
// line): Cilium 1.19, Calico v3.32.1 (crd.projectcalico.org/v1), Istio 1.30.3 (security.istio.io) and the Istio 1.23.6
// IstioOperator CRD (the last line that shipped it).
//
//   node scripts/import-crds.mjs [outdir]     (default: imports/)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const crds = join(root, 'upstream', 'crds');

/** family -> CRD files (relative to upstream/crds) and an optional filter on kinds. */
export const TYPE_SOURCES = [
  { module: 'cilium.io', files: ['cilium/1.19/ciliumcidrgroups.yaml', 'cilium/1.19/ciliumclusterwidenetworkpolicies.yaml', 'cilium/1.19/ciliumlocalredirectpolicies.yaml', 'cilium/1.19/ciliumnetworkpolicies.yaml'] },
  {
    module: 'crd.projectcalico.org',
    files: ['globalnetworkpolicies', 'globalnetworksets', 'networkpolicies', 'networksets', 'tiers'].map((n) => `calico/v3.32.1/crd.projectcalico.org_${n}.yaml`),
  },
  { module: 'security.istio.io', files: ['istio/1.30.3/crd-all.gen.yaml'], kinds: ['PeerAuthentication', 'AuthorizationPolicy'] },
  { module: 'install.istio.io', files: ['istio/1.23.6/crd-operator.yaml'] },
];

const outdir = resolve(process.argv[2] ?? join(root, 'imports'));
const work = mkdtempSync(join(tmpdir(), 'netsec-import-'));
const cdk8s = join(root, 'node_modules', '.bin', 'cdk8s');
try {
  for (const source of TYPE_SOURCES) {
    const docs = source.files.flatMap((f) => parseAllDocuments(readFileSync(join(crds, f), 'utf8')).map((d) => d.toJS()));
    const wanted = docs.filter((d) => d && d.kind === 'CustomResourceDefinition' && (!source.kinds || source.kinds.includes(d.spec.names.kind)));
    const file = join(work, `${source.module}.yaml`);
    writeFileSync(file, wanted.map((d) => stringify(d)).join('---\n'));
    execFileSync(cdk8s, ['import', file, '--output', outdir, '--language', 'typescript', '--no-check-upgrade'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  console.log(`import-crds: wrote ${readdirSync(outdir).filter((f) => f.endsWith('.ts')).sort().join(', ')} to ${outdir}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
