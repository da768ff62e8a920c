import { closestMatch } from 'leven';
import { echo } from '../core/errors.js';
import { SUPPRESS_ANNOTATION } from '../core/resource-metadata.js';
import { CRD_VALIDATION_RULE_ID } from '../core/validation/cel.js';
import { SCHEMA_CHECK_ID } from '../lint/docs.js';
import { KubeObject } from '../lint/manifest-index.js';
import { LintRule } from '../lint/rule.js';
import { Suppression, suppressionRefusal } from '../lint/suppressions.js';


/** The annotation's path inside an object, as findings name it. */
export const SUPPRESS_ANNOTATION_PATH = `metadata.annotations.${SUPPRESS_ANNOTATION}`;

/** What an object's suppress annotation says: the suppressions, and what is wrong with it (each a message). */
export interface ParsedSuppressions {
  readonly suppressions: Suppression[];
  readonly problems: string[];
}

/**
 * Reads the suppress annotation of `object`. Entries are separated by ';' (so a reason cannot hold one), each
 * `<rule-id>: <reason>`. An entry without a reason, with an id that is not a lint rule, or naming
 * `k8s/crd-validation-rule` or `k8s/schema` (the API server refuses such an object whatever netsec says) or a rule that
 * is not suppressible (`suppressionRefusal`) is a problem, never ignored:
 * a typo would otherwise leave the finding in place with nobody knowing why.
 */
export function parseSuppressAnnotation(object: KubeObject, rules: readonly LintRule[]): ParsedSuppressions {
  const annotations = (object.metadata as { annotations?: unknown } | undefined)?.annotations;
  const value = annotations && typeof annotations === 'object' ? (annotations as Record<string, unknown>)[SUPPRESS_ANNOTATION] : undefined;
  const suppressions: Suppression[] = [];
  const problems: string[] = [];
  if (value === undefined) return { suppressions, problems };
  if (typeof value !== 'string') {
    problems.push(`expected a string such as "cilium/fqdn-without-dns-visibility: <why the finding is accepted>" (got ${typeof value})`);
    return { suppressions, problems };
  }
  const ids = rules.map((r) => r.id);
  for (const entry of value.split(';').map((e) => e.trim()).filter((e) => e !== '')) {
    const colon = entry.indexOf(':');
    const id = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    const reason = colon < 0 ? '' : entry.slice(colon + 1).trim();
    const refusal = suppressionRefusal(id, rules);
    if (id === CRD_VALIDATION_RULE_ID) {
      problems.push(`'${CRD_VALIDATION_RULE_ID}' cannot be suppressed: the API server refuses an object that breaks its CRD's validation rules, whatever netsec is told; fix the object`);
    } else if (id === SCHEMA_CHECK_ID) {
      problems.push(`'${SCHEMA_CHECK_ID}' cannot be suppressed: the API server (or Helm, kustomize) refuses such input whatever netsec is told; fix the field the finding names`);
    } else if (refusal !== undefined) {
      problems.push(refusal);
    } else if (!ids.includes(id)) {
      // A near id only: a far one would send the user to an unrelated rule.
      const near = closestMatch(id, ids, { maxDistance: Math.max(2, Math.floor(id.length / 4)) });
      problems.push(`'${echo(id)}' is not a netsec lint rule; expected '<rule-id>: <reason>' with a rule id from docs/rules.md${near ? `; did you mean '${near}'?` : ''}`);
    } else if (reason === '') {
      problems.push(`the suppression of '${id}' has no reason; write '${id}: <why the finding is accepted>' (reviewers read it)`);
    } else {
      suppressions.push({ id, reason });
    }
  }
  return { suppressions, problems };
}
