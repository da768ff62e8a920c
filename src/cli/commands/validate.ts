import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseAllDocuments } from 'yaml';
import { NetsecError, echo, escapeControls, formatLocation } from '../../core/errors.js';
import { Target } from '../../core/target.js';
import { ManifestValidator } from '../../core/validation/manifest-validator.js';
import { formatFinding } from '../../core/validation/finding.js';
import { MAX_ALIAS_COUNT, loadConfigFile } from '../../config/load.js';
import { NetsecCommand } from '../command.js';
import { terminalLine } from '../errors.js';
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
    if (!props) throw new NetsecError('USAGE', `--target ${echo(opts.target)}: no such target in ${loaded.name}; it has: ${loaded.config.targets.map((t) => t.name).join(', ')}.`);
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
    const name = escapeControls(file);
    let text: string;
    try {
      // A folder is named as one, not reported as EISDIR (walking it is for a later version of validate).
      if (statSync(file).isDirectory()) {
        throw new NetsecError('USAGE', `this is a folder; expected manifest files; name the files, e.g. 'netsec validate ${name}/*.yaml'`, { file: name });
      }
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (err instanceof NetsecError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? String(err);
      throw new NetsecError('USAGE', `cannot read this file (${why}); expected a readable YAML file`, { file: name });
    }
    const lines = new LineCounter();
    // logLevel 'error': the yaml library would print its warnings (which quote the input) past netsec's renderer.
    for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error' })) {
      const at = (offset: number): string => {
        const pos = lines.linePos(offset);
        return formatLocation({ file: name, line: pos.line, column: pos.col });
      };
      const location = at(doc.contents?.range?.[0] ?? doc.range[0]);
      if (doc.errors.length) {
        // Where the parser stopped, not where the document starts.
        results.push({ location: at(doc.errors[0]!.pos[0]), message: `invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}` });
        continue;
      }
      let obj: Record<string, unknown> | null;
      try {
        obj = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown> | null;
      } catch (err) {
        // An alias bomb or an alias without its anchor: the yaml library refuses it without a position.
        if (!(err instanceof ReferenceError)) throw err;
        results.push({ location, message: `invalid YAML: ${err.message}` });
        continue;
      }
      if (!obj) continue;
      objects++;
      for (const f of validator.validate(obj)) results.push({ location, message: formatFinding(f) });
    }
  }
  if (opts.output === 'json') printJson(io, { target: { name: target.name, versions: target.describe() }, objects, findings: results });
  else {
    for (const r of results) io.stdout(`${terminalLine(`${r.location}: ${r.message}`)}\n`);
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
