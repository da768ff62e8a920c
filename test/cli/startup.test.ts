import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetsecCommand } from '../../src/cli/command.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/**
 * The start-up fast paths of `main`: `--version` and a plain `cidrs aggregate FILE...` are answered
 * without yargs, and must print exactly what the yargs path prints. Their speed is measured by `npm run bench`.
 */
function capture(): { io: CliIo; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return { io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrIsTTY: false }, out: () => stdout, err: () => stderr };
}

async function run(argv: string[], extra: readonly NetsecCommand<any>[] = []) {
  const c = capture();
  const code = await main(argv, c.io, extra);
  return { code, stdout: c.out(), stderr: c.err() };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netsec-startup-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('netsec --version', () => {
  it('-V prints the version like --version', async () => {
    expect(await run(['-V'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('--version with another flag still goes through yargs and prints the version', async () => {
    expect(await run(['--version', '--verbose'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
});

describe('netsec cidrs aggregate FILE... without yargs', () => {
  it('prints what the yargs path prints for the same feeds', async () => {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    writeFileSync(a, '10.0.0.0/25\n# comment\n10.0.0.128/25\n');
    writeFileSync(b, '2001:db8::/33\n2001:db8:8000::/33\n192.0.2.7\n');
    const fast = await run(['cidrs', 'aggregate', a, b]);
    expect(fast).toEqual({ code: 0, stdout: '10.0.0.0/24\n192.0.2.7/32\n2001:db8::/32\n', stderr: '' });
    expect(await run(['cidrs', 'aggregate', a, b, '--output', 'text'])).toEqual(fast);
  });

  it('reports an unreadable feed with the same text and exit code as the yargs path', async () => {
    const missing = join(dir, 'missing.txt');
    const fast = await run(['cidrs', 'aggregate', missing]);
    expect(fast).toEqual({ code: ExitCode.USAGE, stdout: '', stderr: `${missing}: cannot read this file (no such file); expected a readable file\n` });
    expect(await run(['cidrs', 'aggregate', missing, '--output', 'text'])).toEqual(fast);
  });

  it('leaves a command line with NETSEC_* variables to yargs, which reads flags from them', async () => {
    const a = join(dir, 'a.txt');
    writeFileSync(a, '10.0.0.0/25\n10.0.0.128/25\n');
    vi.stubEnv('NETSEC_OUTPUT', 'json');
    const { code, stdout } = await run(['cidrs', 'aggregate', a]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { prefixes: string[] }).prefixes).toEqual(['10.0.0.0/24']);
  });

  it('prints what the fast path prints when the NETSEC_* variables name no flag (yargs ignores them)', async () => {
    const a = join(dir, 'a.txt');
    writeFileSync(a, '10.0.0.0/25\n10.0.0.128/25\n');
    const fast = await run(['cidrs', 'aggregate', a]);
    expect(fast).toEqual({ code: 0, stdout: '10.0.0.0/24\n', stderr: '' });
    vi.stubEnv('NETSEC_APP_OUTDIR', join(dir, 'out'));
    vi.stubEnv('NETSEC_CI_JOB', '7');
    expect(await run(['cidrs', 'aggregate', a])).toEqual(fast);
  });
});

describe('lazy command modules', () => {
  const hello: NetsecCommand<object> = {
    command: 'hello',
    describe: 'Says hello',
    builder: (y) => y,
    run: (_args, io) => {
      io.stdout('hello\n');
      return ExitCode.OK;
    },
  };

  it('a command given as a NetsecCommand still runs beside the lazily loaded ones', async () => {
    expect(await run(['hello'], [hello])).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
  });

  it('--help lists the lazily loaded commands and the extra one', async () => {
    const { code, stdout } = await run(['--help'], [hello]);
    expect(code).toBe(0);
    for (const cmd of ['synth', 'plan', 'validate <files..>', 'cidrs <action> [inputs..]', 'schema', 'hello']) expect(stdout).toContain(`netsec ${cmd} `);
  });

  it('a misspelt command still gets a did-you-mean over every command', async () => {
    expect(await run(['synht'])).toEqual({ code: 2, stdout: '', stderr: "netsec: unknown command 'synht'; did you mean 'synth'?\nRun 'netsec --help' for usage.\n" });
  });

  it('a command far from every name is an unknown command with the list, not an "unknown argument"', async () => {
    expect(await run(['frobnicate'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "netsec: unknown command 'frobnicate'; expected one of: synth, plan, validate, cidrs, schema, explain, test\nRun 'netsec --help' for usage.\n",
    });
  });
});
