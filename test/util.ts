import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { afterEach, expect } from 'vitest';
import { NetsecChart, SynthResult, Target, TargetProps, formatFinding, synthesize } from '../src/index.js';

/** A fresh app with one NetsecChart for `target`; the chart's component is 'test'. */
export function targetChart(props: TargetProps | Target, component = 'test'): { app: App; chart: NetsecChart; target: Target } {
  const app = new App({ outdir: 'unused' });
  const target = props instanceof Target ? props : new Target(props);
  const chart = new NetsecChart(app, component, { target });
  return { app, chart, target };
}

/**
 * Synthesizes `app`, asserts that every object validates against its target's upstream schemas and that no construct
 * validation failed, and returns the result. Every test that synthesizes goes through this.
 */
export function synthValid(app: App): SynthResult & { objects: Record<string, any>[] } {
  const result = synthesize(app);
  expect(result.findings.map(formatFinding)).toEqual([]);
  expect(result.constructErrors).toEqual([]);
  const objects = app.node
    .findAll()
    .filter(NetsecChart.isNetsecChart)
    .flatMap((c) => c.toJson() as Record<string, any>[]);
  return { ...result, objects };
}

/** The construct-validation errors of a synthesis, for tests that expect them. */
export function constructErrors(app: App): string[] {
  return synthesize(app).constructErrors;
}

/** Objects of one kind (optionally one name). */
export function findAll(objects: Record<string, any>[], kind: string, name?: string): Record<string, any>[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
}

/** The one object of a kind (and name); fails the test if there is not exactly one. */
export function findOne(objects: Record<string, any>[], kind: string, name?: string): Record<string, any> {
  const found = findAll(objects, kind, name);
  expect(found.map((o) => `${o.kind}/${o.metadata?.name}`)).toHaveLength(1);
  return found[0];
}

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A new folder in the run's temp folder, removed after the current test (the run fails on leftovers). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/**
 * netsec.yaml's `targets:` for a Cilium and a Calico cluster that name their own ranges (so no run warns about
 * unchecked overlaps). Seven lines: the first entry after it starts at line 9, column 5.
 */
export const TWO_CLUSTERS = `targets:
  - name: a
    cilium: "1.17"
    cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] }
  - name: c
    calico: "3.30"
    cluster: { podCidrs: [192.168.0.0/16], serviceCidrs: [10.96.0.0/12] }
`;
