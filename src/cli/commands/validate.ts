import { NetsecError, echo, formatLocation } from '../../core/errors.js';
import { Target } from '../../core/target.js';
import { describeResource } from '../../core/validation/finding.js';
import { loadConfigFile } from '../../config/load.js';
import { Severity } from '../../lint/rule.js';
import { validateSarif } from '../../validate/sarif.js';
import { SCHEMA_CHECK_ID } from '../../lint/docs.js';
import { SuppressedValidateFinding, ValidateFinding, ValidateReport, validateManifests } from '../../validate/validate.js';
import { NetsecCommand, REQUIRED_FILES } from '../command.js';
import { terminalLine } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { CliIo, printJson } from '../io.js';
import { isDnsLabel } from '../../core/names.js';

/** Formats of `netsec validate`'s report on stdout. */
export type ValidateOutputFormat = 'text' | 'json' | 'sarif';

/** Options of `netsec validate`. */
export interface ValidateOptions {
  readonly files: string[];
  readonly config?: string;
  readonly target?: string;
  readonly kubernetes?: string;
  readonly cilium?: string;
  readonly calico?: string;
  readonly istio?: string;
  /** The namespace of namespaced objects that name none. @default 'default' */
  readonly namespace?: string;
  readonly output: ValidateOutputFormat;
}

/** Cross-flag rules yargs cannot express. Returns an error message, or undefined when the flags are fine. */
export function checkValidateOptions(opts: ValidateOptions): string | undefined {
  const versions = opts.kubernetes ?? opts.cilium ?? opts.calico ?? opts.istio;
  if (opts.target && versions) return 'Both --target and version flags (--cilium, --calico, ...) were given; pick one way to name the target.';
  if (!opts.target && !versions) return 'Name the target: --target NAME (from netsec.yaml) or version flags such as --cilium 1.17 --kubernetes 1.30.';
  if (opts.files.filter((f) => f === '-').length > 1) return "stdin ('-') can be read only once; give it as one input.";
  // The namespace ends up in every namespace-less object; a bad one would be reported once per object instead of once.
  if (opts.namespace !== undefined && !isDnsLabel(opts.namespace)) {
    return `--namespace ${echo(opts.namespace)}: not a namespace name; expected a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters), e.g. --namespace shop.`;
  }
  return undefined;
}

function resolveTarget(opts: ValidateOptions): Target {
  if (opts.target) {
    const loaded = loadConfigFile(opts.config ?? 'netsec.yaml');
    const props = loaded.config.targets.find((t) => t.name === opts.target);
    if (!props) throw new NetsecError('USAGE', `--target ${echo(opts.target)}: no such target in ${loaded.name}; it has: ${loaded.config.targets.map((t) => t.name).join(', ')}.`);
    return new Target(props);
  }
  return new Target({ name: 'cli', kubernetes: opts.kubernetes, cilium: opts.cilium, calico: opts.calico, istio: opts.istio });
}

/** One finding as a line: `file:line:col: [warning: |info: ]Kind 'ns/name' at path: message [rule-id]`. */
export function formatValidateFinding(f: ValidateFinding): string {
  return `${formatLocation(f.location)}: ${f.severity === Severity.ERROR ? '' : `${f.severity}: `}${describeFinding(f)}${f.ruleId ? ` [${f.ruleId}]` : ''}`;
}

/** A suppressed finding as a line: `file:line:col: suppressed (reason): Kind 'ns/name' at path: message [rule-id]`. */
export function formatSuppressedFinding(f: SuppressedValidateFinding): string {
  return `${formatLocation(f.location)}: suppressed (${f.reason}): ${describeFinding(f)} [${f.ruleId}]`;
}

function describeFinding(f: ValidateFinding): string {
  return f.object ? `${describeResource(f.object)}${f.path ? ` at ${f.path}` : ''}: ${f.message}` : f.path ? `${f.path}: ${f.message}` : f.message;
}

/** The JSON report: target, counts, findings (with rule id, severity, file, line, column, path), suppressions, notes. */
export function validateJson(report: ValidateReport): unknown {
  const flat = (f: ValidateFinding): Record<string, unknown> => ({
    // Schema, YAML, Helm values and kustomization findings have no lint rule; docs/rules.md lists them under k8s/schema.
    ruleId: f.ruleId ?? SCHEMA_CHECK_ID,
    severity: f.severity,
    file: f.location.file,
    line: f.location.line ?? null,
    column: f.location.column ?? null,
    path: f.path,
    object: f.object ? { kind: f.object.kind, name: f.object.name, ...(f.object.namespace ? { namespace: f.object.namespace } : {}) } : null,
    message: f.message,
  });
  return {
    target: { name: report.target.name, versions: report.target.describe() },
    files: report.files,
    objects: report.objects,
    findings: report.findings.map(flat),
    suppressed: report.suppressed.map((f) => ({ ...flat(f), reason: f.reason })),
    notes: report.notes.map((n) => ({ file: n.location?.file ?? null, line: n.location?.line ?? null, column: n.location?.column ?? null, message: n.message })),
  };
}

/** `netsec validate FILES|DIRS`: checks any manifests as `netsec synth` checks its own output (schemas, CEL, lint). */
export async function runValidate(opts: ValidateOptions, io: CliIo): Promise<ExitCode> {
  const problem = checkValidateOptions(opts);
  if (problem) throw new NetsecError('USAGE', problem);
  const target = resolveTarget(opts);
  const stdin = opts.files.includes('-') ? await readStdin(io) : undefined;
  const report = validateManifests({ paths: opts.files, target, namespace: opts.namespace, stdin });
  const errors = report.findings.filter((f) => f.severity === Severity.ERROR).length;
  if (opts.output === 'json') printJson(io, validateJson(report));
  else if (opts.output === 'sarif') printJson(io, validateSarif(report));
  else {
    for (const f of report.findings) io.stdout(`${terminalLine(formatValidateFinding(f))}\n`);
    for (const f of report.suppressed) io.stderr(`${terminalLine(formatSuppressedFinding(f))}\n`);
    for (const n of report.notes) io.stderr(`${terminalLine(`${n.location ? `${formatLocation(n.location)}: ` : ''}note: ${n.message}`)}\n`);
    const warnings = report.findings.filter((f) => f.severity === Severity.WARNING).length;
    const infos = report.findings.length - errors - warnings;
    io.stderr(
      `netsec validate: ${report.objects} object(s) in ${report.files} file(s) checked against ${target.describe()}; ${errors} error(s)${warnings ? `, ${warnings} warning(s)` : ''}${infos ? `, ${infos} info` : ''}${report.suppressed.length ? `, ${report.suppressed.length} suppressed` : ''}.\n`,
    );
  }
  return errors ? ExitCode.FINDINGS : ExitCode.OK;
}

export const validateCommand: NetsecCommand<ValidateOptions> = {
  command: 'validate <files..>',
  describe: "Check manifests (files or folders) against the upstream schemas and lint rules of a target's version lines",
  builder: (y) =>
    y
      .positional('files', { ...REQUIRED_FILES, describe: "YAML files (multi-document) or folders of them; '-' reads stdin" })
      .option('config', { alias: 'c', type: 'string', describe: 'netsec.yaml holding the target named by --target' })
      .option('target', { alias: 't', type: 'string', describe: 'A target name from netsec.yaml' })
      .option('kubernetes', { type: 'string', describe: 'Kubernetes line, e.g. 1.30' })
      .option('cilium', { type: 'string', describe: 'Cilium line, e.g. 1.17' })
      .option('calico', { type: 'string', describe: 'Calico line, e.g. 3.30' })
      .option('istio', { type: 'string', describe: 'Istio line, e.g. 1.23' })
      .option('namespace', { alias: 'n', type: 'string', default: 'default', describe: "Namespace of namespaced objects that name none (kubectl's -n)" })
      .option('output', { choices: ['text', 'json', 'sarif'] as const, default: 'text' as ValidateOutputFormat, describe: 'Format of the report on stdout (sarif: SARIF 2.1.0 for code-scanning UIs)' }) as never,
  run: runValidate,
};

/** All of standard input (manifests piped in: `kubectl get cnp -A -o yaml | netsec validate - ...`), checked as files are. */
async function readStdin(io: CliIo): Promise<Buffer> {
  if (!io.stdin) throw new NetsecError('USAGE', "'-' reads manifests from stdin, but this netsec has no standard input; name files instead.");
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
