import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, AppProps } from 'cdk8s';
import { IConstruct } from 'constructs';
import { parse, parseAllDocuments } from 'yaml';
import { DiagnosticLevel, warningLine } from './diagnostics.js';
import { NetsecError, echo, escapeControls } from './errors.js';
import { readOutput, writeOutput } from './output.js';
import { OutputFile, SynthResult, synthProblems, synthesize } from './synth.js';

/**
 * The environment variable that sends a NetsecApp's output to another folder, whatever the app's `outdir` says.
 * `netsec plan --app` sets it to a temporary folder, runs the app and compares that folder with `--out`.
 */
export const NETSEC_APP_OUTDIR_ENV = 'NETSEC_APP_OUTDIR';

/** Properties for `NetsecApp`: those of cdk8s' `App`; `yamlOutputType` and `outputFileExtension` are not used. */
export type NetsecAppProps = AppProps;

/**
 * A cdk8s `App` whose `synth()` writes what `netsec synth` writes: one folder per target, the Helm values files,
 * a `kustomization.yaml` per target and `not-applied/` inputs, validated against each target's schemas and the
 * lint rules, written atomically under the output lock. `cdk8s synth` with a `main.ts` that builds a NetsecApp
 * therefore gives the same tree as the equivalent netsec.yaml through `netsec synth`.
 *
 * The output folder is `outdir` (default: `CDK8S_OUTDIR`, set by `cdk8s synth`, else `dist`), unless
 * `NETSEC_APP_OUTDIR` is set.
 */
export class NetsecApp extends App {
  public constructor(props: NetsecAppProps = {}) {
    super(props);
  }

  /**
   * Synthesizes and writes the output tree. Warnings go to stderr as `netsec synth` prints them.
   * @throws NetsecError (code `INVALID`) with every schema finding and lint error (`... [rule-id]`), one per line,
   *   and nothing written; the previous output stays as it was.
   */
  public override synth(): void {
    const outdir = process.env[NETSEC_APP_OUTDIR_ENV] || this.outdir;
    const result = checkedSynthesis(this, outdir);
    for (const d of result.diagnostics) {
      if (d.level === DiagnosticLevel.WARNING) process.stderr.write(`${escapeControls(warningLine(d))}\n`);
    }
    for (const note of writeOutput(result.files, outdir).notes) process.stderr.write(`warning: ${escapeControls(note)}\n`);
  }

  /** The objects of every applied file of every target, as one YAML stream (what `kubectl apply -k` would get, in file order). */
  public override synthYaml(): string {
    const result = checkedSynthesis(this);
    return result.files
      .filter((f) => isManifestFile(f.path))
      .map((f) => f.content)
      .join('---\n');
  }
}

/** Synthesizes `root` and throws what `netsec synth` prints when it refuses to write (`outdir`: the folder left unchanged). */
function checkedSynthesis(root: IConstruct, outdir?: string): SynthResult {
  const result = synthesize(root);
  const problems = synthProblems(result);
  if (problems.length) {
    const counted = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    const summary = outdir === undefined ? `netsec: ${counted}.` : `netsec synth: ${counted}; nothing was written, ${outdir}/ is unchanged.`;
    throw new NetsecError('INVALID', summary, undefined, { problems: problems.map((p) => ({ message: `error: ${p}` })), summary });
  }
  return result;
}

/** `<target>/<component>.yaml`: a file of objects for the cluster (not a Helm values file, the kustomization or not-applied/). */
function isManifestFile(path: string): boolean {
  const parts = path.split('/');
  return parts.length === 2 && path.endsWith('.yaml') && !path.endsWith('-values.yaml') && !path.endsWith('/kustomization.yaml');
}

/** One target's part of a `NetsecTesting.synth()` result. */
export interface NetsecTestingTarget {
  /** The objects of each applied component file (`<component>.yaml`), by component name, in file order. */
  readonly components: Record<string, Record<string, unknown>[]>;
  /** The objects of each file in `not-applied/` (inputs for other tools, such as an IstioOperator), by component. */
  readonly notApplied: Record<string, Record<string, unknown>[]>;
  /** The merged Helm values of each release (`<release>-values.yaml`), by release name. */
  readonly helmValues: Record<string, Record<string, unknown>>;
  /** The target's `kustomization.yaml`. */
  readonly kustomization: Record<string, unknown>;
}

/** What `NetsecTesting.synth()` returns. */
export interface NetsecTestingResult {
  /** Per target name: its objects and side files, parsed. */
  readonly targets: Record<string, NetsecTestingTarget>;
  /** Every file `netsec synth` would write, by path relative to the output folder, exactly as it would write it. */
  readonly files: Record<string, string>;
}

/**
 * Test helpers in the manner of cdk8s' `Testing`, for snapshot tests of netsec apps: the same validation as
 * `netsec synth` (a schema finding or lint error fails the test), and the side files cdk8s' `Testing.synth(chart)`
 * cannot show (Helm values, kustomization, not-applied inputs).
 */
export class NetsecTesting {
  /**
   * Synthesizes every NetsecChart under `app` (any cdk8s App, or any construct above the charts) without writing.
   * @throws NetsecError (code `INVALID`) with every finding, as `NetsecApp.synth()` does
   */
  public static synth(app: IConstruct): NetsecTestingResult {
    const result = checkedSynthesis(app);
    const targets: Record<string, NetsecTestingTarget> = {};
    for (const target of result.targets) {
      const entry = { components: {}, notApplied: {}, helmValues: {}, kustomization: {} } as {
        components: Record<string, Record<string, unknown>[]>;
        notApplied: Record<string, Record<string, unknown>[]>;
        helmValues: Record<string, Record<string, unknown>>;
        kustomization: Record<string, unknown>;
      };
      for (const file of result.files.filter((f) => f.path.startsWith(`${target.name}/`))) {
        const rel = file.path.slice(target.name.length + 1);
        const docs = parseAllDocuments(file.content).map((d) => d.toJS() as Record<string, unknown>).filter((d) => d !== null);
        if (rel === 'kustomization.yaml') entry.kustomization = docs[0] ?? {};
        else if (rel.startsWith('not-applied/')) entry.notApplied[rel.slice('not-applied/'.length, -'.yaml'.length)] = docs;
        else if (rel.endsWith('-values.yaml')) entry.helmValues[rel.slice(0, -'-values.yaml'.length)] = docs[0] ?? {};
        else entry.components[rel.slice(0, -'.yaml'.length)] = docs;
      }
      targets[target.name] = entry;
    }
    return { targets, files: Object.fromEntries(result.files.map((f) => [f.path, f.content])) };
  }

  private constructor() {}
}

/** Options of `synthesizeAppCommand`. */
export interface AppCommandOptions {
  /** Folder the command runs in. @default - the current folder */
  readonly cwd?: string;
  /** Gets what the app printed (stdout, then stderr: its warnings, or why it failed), before anything is thrown. @default - dropped */
  readonly onOutput?: (text: string) => void;
}

/**
 * Runs a TypeScript app's command (`node lib/main.js`, as cdk8s.yaml's `app:` names it) with `NETSEC_APP_OUTDIR`
 * pointing at a temporary folder, and returns the tree its NetsecApp wrote there. `CDK8S_OUTDIR` points at another
 * temporary folder, so that a plain cdk8s App cannot overwrite the real output. Both folders are removed afterwards.
 * This is what `netsec plan --app` compares with the output folder.
 * @throws NetsecError when the command fails (code `INVALID` for exit 1, which NetsecApp apps use for findings;
 *   `CONFIG` otherwise) or writes no NetsecApp output
 */
export function synthesizeAppCommand(command: string, options: AppCommandOptions = {}): OutputFile[] {
  const temp = mkdtempSync(join(tmpdir(), 'netsec-app-'));
  try {
    const out = join(temp, 'netsec');
    const child = spawnSync(command, {
      cwd: options.cwd ?? process.cwd(),
      shell: true,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, [NETSEC_APP_OUTDIR_ENV]: out, CDK8S_OUTDIR: join(temp, 'cdk8s') },
    });
    const output = `${child.stdout ?? ''}${child.stderr ?? ''}`;
    if (output) options.onOutput?.(output);
    const shown = `--app '${echo(command)}'`;
    if (child.error) {
      throw new NetsecError('ENVIRONMENT', `${shown} could not be run: ${child.error.message}; expected a command that runs your cdk8s app, e.g. --app "node lib/main.js"`);
    }
    if (child.status !== 0) {
      const how = child.signal ? `was stopped by ${child.signal}` : `exited with code ${child.status}`;
      throw new NetsecError(
        child.status === 1 ? 'INVALID' : 'CONFIG',
        `${shown} ${how} (its output is above); expected it to synthesize a NetsecApp; fix what it reports and run netsec plan again`,
      );
    }
    if (!existsSync(out)) {
      throw new NetsecError(
        'CONFIG',
        `${shown} wrote no netsec output; expected an app that builds a NetsecApp and calls its synth() (a plain cdk8s App ignores ${NETSEC_APP_OUTDIR_ENV}); use new NetsecApp() in place of new App()`,
      );
    }
    return [...readOutput(out)].map(([path, content]) => ({ path, content }));
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * The `app:` command of a cdk8s.yaml (`node lib/main.js`), which `netsec plan --app` runs when given no command.
 * @throws NetsecError when the file cannot be read or names no command
 */
export function appCommandOfCdk8sYaml(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'which does not exist here' : `which cannot be read (${code ?? String(err)})`;
    throw new NetsecError('USAGE', `--app without a command reads app: from ${file}, ${why}; run netsec plan in your cdk8s project's folder, or give the command, e.g. --app "node lib/main.js"`);
  }
  let app: unknown;
  try {
    app = (parse(text) as { app?: unknown } | null)?.app;
  } catch {
    app = undefined;
  }
  if (typeof app !== 'string' || app.trim() === '') {
    throw new NetsecError('CONFIG', `no app: command found; expected a line such as 'app: node lib/main.js', or give the command with --app "node lib/main.js"`, { file });
  }
  return app.trim();
}
