import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { checkValidateOptions } from '../../src/cli/commands/validate.js';
import { NETSEC_APP_OUTDIR_ENV } from '../../src/core/netsec-app.js';
import { run } from './run.js';

const fixture = join(__dirname, '..', 'fixtures', 'manifests', 'mixed.yaml');

describe('netsec CLI', () => {
  test('--version prints the package version', async () => {
    expect(await run('--version')).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  test('--help lists the commands', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    for (const cmd of ['synth', 'plan', 'validate <files..>']) expect(stdout).toContain(`netsec ${cmd}`);
  });

  test('no command is a usage error (exit 2) that names every command', async () => {
    expect(await run()).toEqual({
      code: 2,
      stdout: '',
      stderr: "netsec: Name a command: synth, plan, validate, cidrs, schema, explain or test.\nRun 'netsec --help' for usage.\n",
    });
  });

  test('the help of the commands that read files shows the files as required, without a default', async () => {
    for (const cmd of ['validate', 'explain', 'test']) {
      const { code, stdout } = await run(cmd, '--help');
      expect(code, cmd).toBe(0);
      expect(stdout, cmd).toMatch(/files\s.*\[array\] \[required\]\n/);
      expect(stdout, cmd).not.toContain('[default: []]');
    }
  });

  test('no example in any help is cut in the middle of its command (100 columns, as in CI logs)', async () => {
    for (const cmd of ['synth', 'plan', 'validate', 'cidrs', 'schema', 'explain', 'test']) {
      const { stdout } = await run(cmd, '--help');
      const examples = stdout.split('\nExamples:\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
      // A line of the command column starts with the program's name; one of the description column, with its indent.
      for (const line of examples.filter((l) => l !== '')) expect(line, `${cmd}: ${line}`).toMatch(/^ {2}netsec |^ {20,}\S/);
    }
  });

  test('the commands the no-command error names are the ones --help lists', async () => {
    const [{ stdout: help }, { stderr }] = [await run('--help'), await run()];
    const listed = [...help.matchAll(/^ {2}netsec (\S+)/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(0);
    expect(stderr.split('\n')[0]).toBe(`netsec: Name a command: ${listed.slice(0, -1).join(', ')} or ${listed[listed.length - 1]}.`);
  });

  test('an unknown flag is a usage error (strict)', async () => {
    const { code, stderr } = await run('synth', '--outdir', 'x');
    expect(code).toBe(2);
    expect(stderr).toBe("netsec: Unknown argument: outdir\nRun 'netsec --help' for usage.\n");
  });

  test('a missing config file is a config error naming the file', async () => {
    const { code, stderr } = await run('synth', '-c', '/nonexistent/netsec.yaml');
    expect(code).toBe(2);
    expect(stderr).toBe('/nonexistent/netsec.yaml: cannot read the config file (no such file); expected a readable netsec.yaml; check the path given with -c/--config\n');
  });
});

describe('netsec validate', () => {
  test('reports findings with file and line, exit 1', async () => {
    const { code, stdout } = await run('validate', fixture, '--cilium', '1.17');
    expect(code).toBe(1);
    // The schema error at the field's own line and column; the lint warnings (test/cli/validate.test.ts) are left out here.
    expect(stdout.split('\n').filter((l) => !l.includes(': warning: '))).toEqual([
      `${fixture}:18:11: CiliumClusterwideNetworkPolicy 'block-egress' at spec.egressDeny[0].toCIDRSet[0].cidrGroupRefs: unknown field 'cidrGroupRefs' (the API server would prune it); expected one of: cidr, cidrGroupRef, cidrGroupSelector, except`,
      '',
    ]);
  });

  test('the same file checked against Cilium 1.18 also flags nothing new for v2alpha1 (still served, deprecated)', async () => {
    const { stdout } = await run('validate', fixture, '--cilium', '1.18', '--output', 'json');
    const report = JSON.parse(stdout) as { objects: number; findings: { severity: string }[] };
    expect(report.objects).toBe(2);
    expect(report.findings.filter((f) => f.severity === 'error')).toHaveLength(1);
  });

  test('cross-flag rules', () => {
    expect(checkValidateOptions({ files: [], output: 'text' })).toBe('Name the target: --target NAME (from netsec.yaml) or version flags such as --cilium 1.17 --kubernetes 1.30.');
    expect(checkValidateOptions({ files: [], output: 'text', target: 'a', cilium: '1.17' })).toBe(
      'Both --target and version flags (--cilium, --calico, ...) were given; pick one way to name the target.',
    );
    expect(checkValidateOptions({ files: [], output: 'text', cilium: '1.17' })).toBeUndefined();
  });
});

describe('NETSEC_* variables', () => {
  let dir: string;
  let feed: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netsec-env-'));
    feed = join(dir, 'feed.txt');
    writeFileSync(feed, '10.0.0.0/25\n10.0.0.128/25\n');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  test('one that names no flag of the command is ignored: netsec\'s own NETSEC_APP_OUTDIR and a CI system\'s', async () => {
    const plain = await run('cidrs', 'stats', feed);
    expect(plain.code).toBe(0);
    vi.stubEnv(NETSEC_APP_OUTDIR_ENV, join(dir, 'out'));
    vi.stubEnv('NETSEC_CI_BUILD_ID', '42');
    vi.stubEnv('NETSEC_DEPLOY__REGION', 'eu');
    vi.stubEnv('NETSEC', '1');
    expect(await run('cidrs', 'stats', feed)).toEqual(plain);
    expect(await run('cidrs', 'aggregate', feed, '--output', 'text')).toEqual({ code: 0, stdout: '10.0.0.0/24\n', stderr: '' });
    // --output is a flag of cidrs, not of schema: NETSEC_OUTPUT (set for the other commands) does not break schema.
    vi.stubEnv('NETSEC_OUTPUT', 'json');
    expect((await run('schema')).code).toBe(0);
  });

  test('only NETSEC_ with its underscore: NETSECOUTPUT is not --output', async () => {
    vi.stubEnv('NETSECOUTPUT', 'json');
    expect(await run('cidrs', 'aggregate', feed, '--lenient')).toEqual({ code: 0, stdout: '10.0.0.0/24\n', stderr: '' });
  });

  test('one that names a flag of the command is read as that flag, checked like it', async () => {
    vi.stubEnv('NETSEC_OUTPUT', 'json');
    const { code, stdout } = await run('cidrs', 'aggregate', feed, '--lenient');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { prefixes: string[] }).prefixes).toEqual(['10.0.0.0/24']);
    expect(await run('cidrs', 'aggregate', feed, '--output', 'text')).toEqual({ code: 0, stdout: '10.0.0.0/24\n', stderr: '' });
    vi.stubEnv('NETSEC_OUTPUT', 'yaml');
    expect(await run('cidrs', 'aggregate', feed, '--lenient')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'netsec: Invalid values:\n  Argument: output, Given: "yaml", Choices: "text", "json"\nRun \'netsec --help\' for usage.\n',
    });
  });

  test('an unknown flag on the command line stays a usage error, also when a variable has its name', async () => {
    vi.stubEnv(NETSEC_APP_OUTDIR_ENV, join(dir, 'out'));
    vi.stubEnv('NETSEC_FOO', '1');
    expect(await run('synth', '--app-outdir', 'x')).toEqual({ code: 2, stdout: '', stderr: "netsec: Unknown arguments: app-outdir, appOutdir\nRun 'netsec --help' for usage.\n" });
    expect(await run('synth', '--foo')).toEqual({ code: 2, stdout: '', stderr: "netsec: Unknown argument: foo\nRun 'netsec --help' for usage.\n" });
    expect(await run('synth', '--outdir', 'x')).toEqual({ code: 2, stdout: '', stderr: "netsec: Unknown argument: outdir\nRun 'netsec --help' for usage.\n" });
    expect(await run()).toEqual({
      code: 2,
      stdout: '',
      stderr: "netsec: Name a command: synth, plan, validate, cidrs, schema, explain or test.\nRun 'netsec --help' for usage.\n",
    });
  });
});
