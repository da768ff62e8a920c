import { CRD_VALIDATION_RULE_ID } from '../core/validation/cel.js';
import { LintRule, Severity } from './rule.js';

/** What docs/rules.md and SARIF say about a check: a lint rule, or one of the checks below. */
export type RuleDoc = Pick<LintRule, 'id' | 'severity' | 'summary' | 'explanation'>;

/** The id `netsec validate` reports schema, metadata, YAML, Helm values and kustomization findings under. */
export const SCHEMA_CHECK_ID = 'k8s/schema';

/**
 * Checks with an id that are not lint rules: they say what the API server (or Helm, kustomize) refuses whatever
 * netsec is told, so no suppression applies to them. Documented beside the rules so every id a report names can be
 * looked up.
 */
export const NON_LINT_CHECKS: readonly RuleDoc[] = [
  {
    id: SCHEMA_CHECK_ID,
    severity: Severity.ERROR,
    summary: "An object breaks the upstream schema of its kind on the target's version line, or a file is not what its tool reads.",
    explanation:
      "Cilium, Calico and Istio objects are checked against the CRD schemas vendored for the target's own version line (an unknown " +
      'field is an error: the API server would prune it and the object would not say what it seems to), Kubernetes kinds against ' +
      "the kubernetes-models schemas, and every object's metadata against the API server's name, namespace, label and annotation " +
      "rules. `netsec validate` also reports here YAML it cannot read, Helm values files (`<release>-values.yaml`) with keys the " +
      "chart of the target's line does not read, and kustomization.yaml entries that do not exist. Not suppressible: the API " +
      'server, Helm or kustomize refuses such input either way; fix the file.',
  },
  {
    id: CRD_VALIDATION_RULE_ID,
    severity: Severity.ERROR,
    summary: "An object breaks one of its CRD's CEL validation rules (x-kubernetes-validations).",
    explanation:
      "CRDs state rules a schema cannot express in CEL (Calico 3.32: an ICMP code needs a type, preDNAT needs applyOnForward; " +
      "Cilium 1.20: a policy needs spec or specs). netsec evaluates them offline as the API server does when the object is created: " +
      "after the schema's defaults are applied, only on objects without blocking schema errors, and reporting the rule's own " +
      "message at its field. Transition rules (those reading oldSelf) only run on updates: synth and validate do not evaluate them; " +
      "`netsec plan` runs the self == oldSelf ones (Cilium's Local Redirect Policy: redirectFrontend, redirectBackend and " +
      'skipRedirectFromBackend are immutable) against the committed output and marks an object it would change there -/+ ' +
      '(must be replaced). Not suppressible: ' +
      'the API server refuses the object either way; change the field the message names.',
  },
];

/**
 * `docs/rules.md`: every rule with its id, severity, summary and explanation, generated from the registry so the
 * page and the code cannot drift (a test compares them; `npm run docs` rewrites it).
 */
export function renderRulesMarkdown(rules: readonly LintRule[], checks: readonly RuleDoc[] = NON_LINT_CHECKS): string {
  const areas = [...new Set(rules.map((r) => r.id.split('/')[0]!))];
  const lines = [
    '# Lint rules',
    '',
    '<!-- Generated from src/lint/rules by `npm run docs`; do not edit. -->',
    '',
    'netsec runs these rules over every object of a target before anything is written (`netsec synth`, `netsec plan`,',
    '`synthesize()`). An **error** stops the run; a **warning** is printed and written into the header of the output file.',
    'A finding can be accepted with a suppression that names the rule id and gives a reason (`suppressRules(construct,',
    "[{ id, reason }])` in TypeScript, `suppress:` in netsec.yaml, and the annotation `netsec.io/suppress: \"<rule-id>: <reason>; ...\"`",
    'on an object `netsec validate` checks); suppressed findings are listed in the output header, never dropped.',
    'The rules marked **not suppressible** guard what netsec never writes or accepts, whatever it is told: two objects with',
    'one identity, and objects or labels the cluster owns. A suppression of one of them is refused.',
    '',
    '| id | severity | summary |',
    '|---|---|---|',
    ...rules.map((r) => `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.severity} | ${r.summary} |`),
  ];
  for (const area of areas) {
    lines.push('', `## ${area}`);
    for (const r of rules.filter((x) => x.id.startsWith(`${area}/`))) {
      const refusal = r.notSuppressible === undefined ? '' : ` Not suppressible: ${r.notSuppressible}.`;
      lines.push('', `### ${r.id}`, '', `**${r.severity}**. ${r.summary}`, '', `${r.explanation}${refusal}`);
    }
  }
  if (checks.length) {
    lines.push(
      '',
      '## Checks that are not lint rules',
      '',
      'Findings of these checks carry an id too (in `netsec validate --output json` and `--output sarif`), but no suppression',
      'applies to them: what they find is refused by the API server, Helm or kustomize whatever netsec is told.',
    );
    for (const c of checks) lines.push('', `### ${c.id}`, '', `**${c.severity}**. ${c.summary}`, '', c.explanation);
  }
  return lines.join('\n') + '\n';
}

/** GitHub's heading anchor for a rule id heading (`k8s/duplicate-object` → `k8sduplicate-object`). */
function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}
