/**
 * Bench runner: builds COUNT Cilium policies (bench/policies.ts) and runs netsec's full `synthesize()` (rule checks,
 * schema validation, lint, YAML), as its own process so the scale bench measures its wall time and peak RSS.
 * Prints `objects files bytes`; exits 1 when synthesize() reports a schema finding, lint error or construct error.
 */
import { synthesize } from '../src/index.js';
import { buildPolicies } from './policies.js';

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count <= 0) throw new Error('usage: policy-scale-run COUNT');
const result = synthesize(buildPolicies(count).app);
if (result.findings.length || result.constructErrors.length) {
  process.stderr.write(`${result.findings.length} findings, ${result.constructErrors.length} construct errors; first: ${JSON.stringify(result.findings[0] ?? result.constructErrors[0])}\n`);
  process.exitCode = 1;
} else {
  const objects = result.files.reduce((n, f) => n + (f.content.match(/^kind: /gm)?.length ?? 0), 0);
  process.stdout.write(`${objects} ${result.files.length} ${result.files.reduce((n, f) => n + f.content.length, 0)}\n`);
}
