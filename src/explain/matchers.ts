import { stringify } from 'yaml';
import { EvaluationInput, evaluate } from './evaluate.js';
import { Flow, FlowResult } from './model.js';
import { explanationLines, verdictLine } from './render.js';
import { Scenario, parseScenario } from './scenario.js';

/**
 * A scenario from a plain object in the scenario file's shape (format v1), checked like a file: unknown fields and
 * bad values are NetsecErrors naming the field. For tests written in TypeScript.
 *
 * @example scenarioFromObject({ target: { kubernetes: '1.30', cilium: '1.17' }, manifests: [], cluster: { pods: [...] }, flows: [...] })
 */
export function scenarioFromObject(spec: Record<string, unknown>, name = 'scenario'): Scenario {
  return parseScenario(stringify(spec), name);
}

/** What a matcher returns (vitest's and jest's shape). */
export interface MatcherResult {
  readonly pass: boolean;
  message(): string;
}

function explain(r: FlowResult): string {
  return [verdictLine(r), ...explanationLines(r, '  ')].join('\n');
}

/**
 * Matchers for vitest or jest: `expect.extend(netsecMatchers)`, then `expect(input).toAllow(flow)`,
 * `expect(input).toDrop(flow, 'POLICY_DENY')`, `expect(input).toDeny(flow)` where `input` is an `EvaluationInput`
 * (for a cdk8s chart: `{ objects: chart.toJson(), cluster, versions }`). A failure prints the verdict and why.
 */
export const netsecMatchers = {
  toAllow(received: EvaluationInput, flow: Flow): MatcherResult {
    const r = evaluate(received, flow);
    const pass = r.verdict === 'FORWARDED';
    return { pass, message: () => `expected '${flow.name}' ${pass ? 'not ' : ''}to be FORWARDED; got\n${explain(r)}` };
  },
  toDrop(received: EvaluationInput, flow: Flow, dropReason?: string): MatcherResult {
    const r = evaluate(received, flow);
    const pass = r.verdict === 'DROPPED' && (dropReason === undefined || r.dropReason === dropReason);
    return { pass, message: () => `expected '${flow.name}' ${pass ? 'not ' : ''}to be DROPPED${dropReason ? ` with ${dropReason}` : ''}; got\n${explain(r)}` };
  },
  toDeny(received: EvaluationInput, flow: Flow, httpStatus?: number): MatcherResult {
    const r = evaluate(received, flow);
    const pass = r.verdict === 'DENIED' && (httpStatus === undefined || r.httpStatus === httpStatus);
    return { pass, message: () => `expected '${flow.name}' ${pass ? 'not ' : ''}to be DENIED${httpStatus ? ` with HTTP ${httpStatus}` : ''}; got\n${explain(r)}` };
  },
};

/** Type the matchers for vitest: `declare module 'vitest' { interface Assertion<T> extends NetsecMatchers<T> {} }`. */
export interface NetsecMatchers<R = unknown> {
  toAllow(flow: Flow): R;
  toDrop(flow: Flow, dropReason?: string): R;
  toDeny(flow: Flow, httpStatus?: number): R;
}
