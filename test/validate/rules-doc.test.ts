import { expect, test } from 'vitest';
import { NON_LINT_CHECKS, renderRulesMarkdown } from '../../src/lint/docs.js';
import { RULES } from '../../src/lint/rules/index.js';
import { parseSuppressAnnotation } from '../../src/validate/suppress-annotation.js';

test('k8s/crd-validation-rule and k8s/schema are documented, apart from the lint rules, and cannot be suppressed', () => {
  const text = renderRulesMarkdown(RULES);
  const section = text.slice(text.indexOf('\n## Checks that are not lint rules\n'));
  expect(section).toContain('\n### k8s/crd-validation-rule\n\n**error**. An object breaks one of its CRD\'s CEL validation rules (x-kubernetes-validations).\n');
  expect(section).toContain('\n### k8s/schema\n\n**error**. ');
  expect(NON_LINT_CHECKS.map((c) => c.id)).toEqual(['k8s/schema', 'k8s/crd-validation-rule']);
  for (const c of NON_LINT_CHECKS) expect(RULES.some((r) => r.id === c.id)).toBe(false);
  // The table lists lint rules only: a suppression names one of them.
  expect(text).not.toContain('| [`k8s/crd-validation-rule`]');
  const far = { metadata: { annotations: { 'netsec.io/suppress': 'k8s/schemas: a reason' } } };
  // Not 'did you mean k8s/duplicate-object': no rule id is near.
  expect(parseSuppressAnnotation(far, RULES).problems).toEqual(["'k8s/schemas' is not a netsec lint rule; expected '<rule-id>: <reason>' with a rule id from docs/rules.md"]);
  const annotated = { metadata: { annotations: { 'netsec.io/suppress': 'k8s/schema: a reason' } } };
  expect(parseSuppressAnnotation(annotated, RULES)).toEqual({
    suppressions: [],
    problems: ["'k8s/schema' cannot be suppressed: the API server (or Helm, kustomize) refuses such input whatever netsec is told; fix the field the finding names"],
  });
});
