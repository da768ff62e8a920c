import { FlowResult } from './model.js';
import { mismatches, ScenarioRun } from './run.js';
import { formatLocation } from '../core/errors.js';

/** One flow's verdict as a line: `name: DROPPED (POLICY_DENY 181) by CiliumClusterwideNetworkPolicy/egress-block`. */
export function verdictLine(r: FlowResult): string {
  const why = r.dropReason ? ` (${r.dropReason} ${r.dropReasonCode})` : r.httpStatus ? ` (HTTP ${r.httpStatus})` : '';
  return `${r.name}: ${r.verdict}${why} by ${r.by}`;
}

/** The steps of a flow, one indented line each, in the order the packet met them. */
export function explanationLines(r: FlowResult, indent = '    '): string[] {
  return r.steps.map((s) => `${indent}${s.layer}: ${s.detail}`);
}

/** `netsec explain` as text: per file, each flow's verdict and its steps. */
export function renderExplainText(runs: readonly ScenarioRun[]): string {
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(`${run.scenario.file}:`);
    for (const r of run.results) lines.push(`  ${verdictLine(r)}`, ...explanationLines(r));
  }
  return `${lines.join('\n')}\n`;
}

/** `netsec explain --output json`: `{ flows: [{ name, verdict, dropReason, dropReasonCode, httpStatus, by, steps, file }] }`. */
export function explainJson(runs: readonly ScenarioRun[]): { flows: (FlowResult & { file: string })[] } {
  return { flows: runs.flatMap((run) => run.results.map((r) => ({ ...r, file: run.scenario.file }))) };
}

/** One compared flow of `netsec test`. */
export interface TestOutcome {
  readonly file: string;
  /** `file:line:col` of the flow. */
  readonly location: string;
  readonly name: string;
  readonly passed: boolean;
  /** What differs (`verdict: expected DROPPED, got FORWARDED`). */
  readonly mismatches: readonly string[];
  readonly result: FlowResult;
}

/** Compares every flow that has `expect`; flows without it are not counted. */
export function testOutcomes(runs: readonly ScenarioRun[]): TestOutcome[] {
  const out: TestOutcome[] = [];
  for (const run of runs) {
    run.scenario.flows.forEach((flow, i) => {
      if (!flow.expect) return;
      const result = run.results[i]!;
      const diff = mismatches(flow.expect, result);
      out.push({ file: run.scenario.file, location: formatLocation(run.scenario.flowLocations[i]!), name: flow.name, passed: diff.length === 0, mismatches: diff, result });
    });
  }
  return out;
}

/** `netsec test` as text: each failure with what differs and the explanation, then `N passed, N failed`. */
export function renderTestText(outcomes: readonly TestOutcome[]): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    if (o.passed) continue;
    lines.push(`FAIL ${o.location}: ${o.name}`, ...o.mismatches.map((m) => `  ${m}`), `  got ${verdictLine(o.result)}`, ...explanationLines(o.result));
  }
  const failed = outcomes.filter((o) => !o.passed).length;
  lines.push(`${outcomes.length - failed} passed, ${failed} failed`);
  return `${lines.join('\n')}\n`;
}
