import { pathToFileURL } from 'node:url';
import { isAbsolute, sep } from 'node:path';
import { SourceLocation } from '../core/errors.js';
import { netsecVersion } from '../core/package-root.js';
import { describeResource } from '../core/validation/finding.js';
import { NON_LINT_CHECKS, RuleDoc, SCHEMA_CHECK_ID } from '../lint/docs.js';
import { RULES } from '../lint/rules/index.js';
import { Severity } from '../lint/rule.js';
import { ValidateFinding, ValidateReport } from './validate.js';

/**
 * The report as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), the input of code-scanning UIs:
 * one run; `tool.driver.rules` lists every lint rule and the non-lint checks with their docs, so a UI can show the
 * explanation of any result; each finding is a result at its file, line and column, a suppressed one with its reason
 * (`suppressions`), and the notes are tool notifications. Findings without a rule id (schema, YAML, Helm values,
 * kustomization) are reported under `k8s/schema`.
 */
export function validateSarif(report: ValidateReport, rules: readonly RuleDoc[] = [...RULES, ...NON_LINT_CHECKS]): Record<string, unknown> {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const result = (f: ValidateFinding, suppression?: string): Record<string, unknown> => {
    const ruleId = f.ruleId ?? SCHEMA_CHECK_ID;
    const what = f.object ? `${describeResource(f.object)}${f.path ? ` at ${f.path}` : ''}: ${f.message}` : f.path ? `${f.path}: ${f.message}` : f.message;
    return {
      ruleId,
      ...(index.has(ruleId) ? { ruleIndex: index.get(ruleId) } : {}),
      level: sarifLevel(f.severity),
      message: { text: what },
      locations: [{ physicalLocation: physicalLocation(f.location) }],
      ...(suppression !== undefined ? { suppressions: [{ kind: 'inSource', justification: suppression }] } : {}),
    };
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'netsec',
            version: netsecVersion(),
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.summary },
              fullDescription: { text: r.explanation },
              help: { text: `${r.summary} ${r.explanation} (docs/rules.md: ${r.id})` },
              defaultConfiguration: { level: sarifLevel(r.severity) },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.notes.map((n) => ({
              level: 'note',
              message: { text: n.message },
              ...(n.location ? { locations: [{ physicalLocation: physicalLocation(n.location) }] } : {}),
            })),
          },
        ],
        results: [...report.findings.map((f) => result(f)), ...report.suppressed.map((f) => result(f, f.reason))],
      },
    ],
  };
}

/** SARIF's name for a severity (its levels are error, warning and note). */
function sarifLevel(severity: Severity): string {
  return severity === Severity.ERROR ? 'error' : severity === Severity.WARNING ? 'warning' : 'note';
}

/** A SARIF physicalLocation: the file as a URI reference ('/'-separated, percent-encoded; absolute paths as file: URLs). */
function physicalLocation(location: SourceLocation): Record<string, unknown> {
  const uri = isAbsolute(location.file) ? pathToFileURL(location.file).href : encodeURI(location.file.split(sep).join('/'));
  const region = location.line !== undefined ? { region: { startLine: location.line, ...(location.column !== undefined ? { startColumn: location.column } : {}) } } : {};
  return { artifactLocation: { uri }, ...region };
}
