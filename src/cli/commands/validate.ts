import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments } from 'yaml';
import { NetsecError, formatLocation } from '../../core/errors.js';
import { Target } from '../../core/target.js';
import { ManifestValidator } from '../../core/validation/manifest-validator.js';
import { formatFinding } from '../../core/validation/finding.js';
import { loadConfigFile } from '../../config/load.js';
import { NetsecCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { CliIo, OutputFormat, printJson } from '../io.js';

/** Options of `netsec validate`. */
export interface ValidateOptions {
  readonly files: string[];
  readonly config?: string;
  readonly target?: string;
  readonly kubernetes?: string;
  readonly cilium?: string;
  readonly calico?: string;
  readonly istio?: string;
  readonly output: OutputFormat;
}

/** Cross-flag rules yargs cannot express. Returns an error message, or undefined when the flags are fine. */
export function checkValidateOptions(opts: ValidateOptions): string | undefined {
  const versions = opts.kubernetes ?? opts.cilium ?? opts.calico ?? opts.istio;
  if (opts.target && versions) return 'Both --target and version flags (--cilium, --calico, ...) were given; pick one way to name the target.';
  if (!opts.target && !versions) return 'Name the target: --target NAME (from netsec.yaml) or version flags such as --cilium 1.17 --kubernetes 1.30.';
  return undefined;
}

function resolveTarget(opts: ValidateOptions): Target {
  if (opts.target) {
    const loaded = loadConfigFile(opts.config ?? 'netsec.yaml');
    const props = loaded.config.targets.find((t) => t.name === opts.target);
    if (!props) throw new NetsecError('USAGE', `--target ${opts.target}: no such target in ${loaded.file}; it has: ${loaded.config.targets.map((t) => t.name).join(', ')}.`);
    return new Target(props);
  }
  return new Target({ name: 'cli', kubernetes: opts.kubernetes, cilium: opts.cilium, calico: opts.calico, istio: opts.istio });
}

/** `netsec validate FILES`: checks any manifests against the upstream schemas of one target's version lines. */
export function runValidate(opts: ValidateOptions, io: CliIo): ExitCode {
  const problem = checkValidateOptions(opts);
  if (problem) throw new NetsecError('USAGE', problem);
  const target = resolveTarget(opts);
  const validator = new ManifestValidator(target);
  const results: { location: string; message: string }[] = [];
  let objects = 0;
  for (const file of opts.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new NetsecError('USAGE', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`);
    }
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
      const start = lines.linePos(doc.contents?.range?.[0] ?? doc.range[0]);
      const location = formatLocation({ file, line: start.line, column: start.col });
      if (doc.errors.length) {
        results.push({ location, message: `invalid YAML: ${doc.errors[0].message.split('\n')[0]}` });
        continue;
      }
      const obj = doc.toJS() as Record<string, unknown> | null;
      if (!obj) continue;
      objects++;
      for (const f of validator.validate(obj)) results.push({ location, message: formatFinding(f) });
    }
  }
  if (opts.output === 'json') printJson(io, { target: { name: target.name, versions: target.describe() }, objects, findings: results });
  else {
    for (const r of results) io.stdout(`${r.location}: ${r.message}\n`);
    io.stderr(`netsec validate: ${objects} object(s) checked against ${target.describe()}; ${results.length} finding(s).\n`);
  }
  return results.length ? ExitCode.FINDINGS : ExitCode.OK;
}

export const validateCommand: NetsecCommand<ValidateOptions> = {
  command: 'validate <files..>',
  describe: "Check manifests against the upstream schemas of a target's version lines",
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'YAML files (multi-document)' })
      .option('config', { alias: 'c', type: 'string', describe: 'netsec.yaml holding the target named by --target' })
      .option('target', { alias: 't', type: 'string', describe: 'A target name from netsec.yaml' })
      .option('kubernetes', { type: 'string', describe: 'Kubernetes line, e.g. 1.30' })
      .option('cilium', { type: 'string', describe: 'Cilium line, e.g. 1.17' })
      .option('calico', { type: 'string', describe: 'Calico line, e.g. 3.30' })
      .option('istio', { type: 'string', describe: 'Istio line, e.g. 1.23' })
      .option('output', { choices: ['text', 'json'] as const, default: 'text' as OutputFormat, describe: 'Format of the report on stdout' }) as never,
  run: runValidate,
};
