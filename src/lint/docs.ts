import { LintRule } from './rule.js';

/**
 * `docs/rules.md`: every rule with its id, severity, summary and explanation, generated from the registry so the
 * page and the code cannot drift (a test compares them; `npm run docs` rewrites it).
 */
export function renderRulesMarkdown(rules: readonly LintRule[]): string {
  const areas = [...new Set(rules.map((r) => r.id.split('/')[0]!))];
  const lines = [
    '# Lint rules',
    '',
    '<!-- Generated from src/lint/rules by `npm run docs`; do not edit. -->',
    '',
    'netsec runs these rules over every object of a target before anything is written (`netsec synth`, `netsec plan`,',
    '`synthesize()`). An **error** stops the run; a **warning** is printed and written into the header of the output file.',
    'A finding can be accepted with a suppression that names the rule id and gives a reason (`suppressRules(construct,',
    "[{ id, reason }])` in TypeScript); suppressed findings are listed in the output header, never dropped.",
    '',
    '| id | severity | summary |',
    '|---|---|---|',
    ...rules.map((r) => `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.severity} | ${r.summary} |`),
  ];
  for (const area of areas) {
    lines.push('', `## ${area}`);
    for (const r of rules.filter((x) => x.id.startsWith(`${area}/`))) {
      lines.push('', `### ${r.id}`, '', `**${r.severity}**. ${r.summary}`, '', r.explanation);
    }
  }
  return lines.join('\n') + '\n';
}

/** GitHub's heading anchor for a rule id heading (`k8s/duplicate-object` → `k8sduplicate-object`). */
function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}
