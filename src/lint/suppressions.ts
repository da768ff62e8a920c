import { IConstruct } from 'constructs';
import { NetsecError } from '../core/errors.js';
import type { LintRule } from './rule.js';
import { RULES } from './rules/index.js';

/** A rule a construct (and everything under it) is exempt from, and why. */
export interface Suppression {
  /** The rule id, e.g. `cilium/cidr-identity-cost`. */
  readonly id: string;
  /** Why the finding is accepted; written into the output header for reviewers. Required. */
  readonly reason: string;
}

const METADATA_TYPE = 'netsec:suppress';

/**
 * Exempts `scope` and every construct under it from lint rules, as cdk-nag's `NagSuppressions` does: recorded in
 * construct metadata, listed in the output header, never silent. A suppression without a reason is refused.
 *
 * @example suppressRules(block, [{ id: 'cilium/cidr-identity-cost', reason: 'Cilium 1.16 with a 200k-entry policy map (bpf-policy-map-max)' }])
 */
export function suppressRules(scope: IConstruct, suppressions: readonly Suppression[]): void {
  for (const s of suppressions) {
    if (!/^[a-z0-9]+\/[a-z0-9-]+$/.test(s.id)) {
      throw new NetsecError('USAGE', `[${scope.node.path}] suppression id '${s.id}' is not a rule id; expected '<area>/<rule>', e.g. 'cilium/cidr-identity-cost'.`);
    }
    if (!RULES.some((r) => r.id === s.id)) {
      throw new NetsecError('USAGE', `[${scope.node.path}] suppression id '${s.id}' names no netsec lint rule; expected an id from docs/rules.md (a typo would leave the finding in place, unexplained).`);
    }
    const refusal = suppressionRefusal(s.id, RULES, `suppression id '${s.id}'`);
    if (refusal !== undefined) throw new NetsecError('USAGE', `[${scope.node.path}] ${refusal}.`);
    if (!s.reason || !s.reason.trim()) {
      throw new NetsecError('USAGE', `[${scope.node.path}] suppression of '${s.id}' has no reason; say why the finding is accepted (reviewers read it in the output header).`);
    }
    scope.node.addMetadata(METADATA_TYPE, { id: s.id, reason: s.reason.trim() });
  }
}

/**
 * Why a suppression of rule `id` is refused (`'k8s/duplicate-object' cannot be suppressed: ...`), or undefined when
 * it may be suppressed: one wording for netsec.yaml, `suppressRules()` and the `netsec.io/suppress` annotation.
 * @param subject how the message starts, e.g. `egressBlocking[0].suppress[0].rule is 'k8s/duplicate-object', which`
 */
export function suppressionRefusal(id: string, rules: readonly LintRule[] = RULES, subject = `'${id}'`): string | undefined {
  const why = rules.find((r) => r.id === id)?.notSuppressible;
  return why === undefined ? undefined : `${subject} cannot be suppressed: ${why}, and netsec never writes or accepts that whatever it is told; fix the objects the finding names`;
}

/** The suppressions that apply to `scope`: its own and its ancestors'. */
export function suppressionsOf(scope: IConstruct): Suppression[] {
  return scope.node.scopes.flatMap((s) => s.node.metadata.filter((m) => m.type === METADATA_TYPE).map((m) => m.data as Suppression));
}
