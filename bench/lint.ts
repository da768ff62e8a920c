/**
 * Lint cost (issue 10's bench row): the lint pass (every rule of src/lint/rules over one target's objects, as synth
 * runs it) against schema-only validation (ManifestValidator: the upstream CRD schemas with their CEL rules) of the
 * same objects, in one process, on the bundled example (netsec.yaml, every target) and on 1,000 Cilium policies.
 * "first" is the first pass in the process, as every CLI run pays it (lazy rule tables, validator and CEL loading);
 * "warm" is the median of later passes. The lint pass must report no errors on either input, or the bench fails.
 */
import { join } from 'node:path';
import { ApiObject, Chart, type App } from 'cdk8s';
import { buildApp } from '../src/config/build.js';
import { loadConfigFile } from '../src/config/load.js';
import { NetsecChart } from '../src/core/netsec-chart.js';
import type { Target } from '../src/core/target.js';
import { ManifestValidator } from '../src/core/validation/manifest-validator.js';
import { lint } from '../src/lint/lint.js';
import { ManifestIndex, type Manifest } from '../src/lint/manifest-index.js';
import { Severity } from '../src/lint/rule.js';
import { type Suppression, suppressionsOf } from '../src/lint/suppressions.js';
import { median } from './measure.js';
import { buildPolicies } from './policies.js';
import type { BenchModule } from './types.js';

const RUNS = 9;

/** Every target's rendered objects, as synth hands them to lint and to the validator. */
interface TargetInput {
  readonly target: Target;
  readonly manifests: Manifest[];
  /** The suppressions synth honours for each object (reasoned, listed in the headers). */
  readonly waivers: Map<Manifest, Suppression[]>;
}

function manifestsByTarget(app: App): TargetInput[] {
  const byTarget = new Map<string, TargetInput>();
  for (const chart of app.node.findAll().filter((c): c is NetsecChart => c instanceof NetsecChart)) {
    const entry: TargetInput = byTarget.get(chart.target.name) ?? { target: chart.target, manifests: [], waivers: new Map() };
    for (const c of chart.node.findAll()) {
      if (!ApiObject.isApiObject(c) || Chart.of(c) !== chart) continue;
      const m: Manifest = { object: c.toJson() as Manifest['object'], constructPath: c.node.path, applied: chart.applyToCluster };
      entry.manifests.push(m);
      // Without them lint would not judge what synth judges.
      entry.waivers.set(m, suppressionsOf(c));
    }
    byTarget.set(chart.target.name, entry);
  }
  return [...byTarget.values()];
}

function ms(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface Timing {
  first: number;
  warm: number;
}

function timed(runs: number, fn: () => void): Timing {
  const first = ms(fn);
  const rest = Array.from({ length: runs }, () => ms(fn));
  return { first, warm: median(rest) };
}

export const lintBench: BenchModule = {
  name: 'lint',
  description: 'Lint pass vs schema-only validation of the same objects: the bundled example and 1,000 Cilium policies, one process',
  async run({ root, log, record }) {
    let ok = true;
    const inputs = [
      { label: 'bundled example (netsec.yaml)', targets: manifestsByTarget(await buildApp(loadConfigFile(join(root, 'netsec.yaml')))) },
      { label: '1,000 Cilium policies', targets: manifestsByTarget(buildPolicies(1000).app) },
    ];
    for (const input of inputs) {
      const objects = input.targets.reduce((n, t) => n + t.manifests.length, 0);
      let errors = 0;
      // Schema first: both passes' "first" then pay only their own lazy loading (lint does not load validators).
      const schema = timed(RUNS, () => {
        for (const t of input.targets) {
          const validator = new ManifestValidator(t.target);
          for (const m of t.manifests) validator.validate(m.object, { applyToCluster: m.applied });
        }
      });
      const linted = timed(RUNS, () => {
        errors = 0;
        for (const t of input.targets) {
          errors += lint(new ManifestIndex(t.target, t.manifests), { suppressionsOf: (m) => t.waivers.get(m) ?? [] }).findings.filter((f) => f.severity === Severity.ERROR).length;
        }
      });
      const ratio = linted.warm / schema.warm;
      log(`  ${input.label}: ${objects} objects in ${input.targets.length} target(s)`);
      log(`    schema-only validation  first ${schema.first.toFixed(1).padStart(7)} ms  warm ${schema.warm.toFixed(1).padStart(7)} ms`);
      log(`    lint (all rules)        first ${linted.first.toFixed(1).padStart(7)} ms  warm ${linted.warm.toFixed(1).padStart(7)} ms  (${ratio.toFixed(2)}x schema, warm)`);
      record({
        what: `lint of ${input.label}`,
        netsec: `${linted.first.toFixed(0)} ms first, ${linted.warm.toFixed(0)} ms warm`,
        yardstick: `schema-only: ${schema.first.toFixed(0)} / ${schema.warm.toFixed(0)} ms`,
        ratio: `${ratio.toFixed(2)}x schema (warm)`,
        target: 'none (issue 10 row)',
      });
      if (errors) {
        log(`    MISMATCH: lint reported ${errors} error(s) on an input synth accepts`);
        ok = false;
      }
    }
    return ok;
  },
};
