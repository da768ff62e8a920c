import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkValidateOptions } from '../../src/cli/commands/validate.js';
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

  test('no command is a usage error (exit 2)', async () => {
    expect(await run()).toEqual({ code: 2, stdout: '', stderr: "netsec: Name a command: synth, plan, validate or cidrs.\nRun 'netsec --help' for usage.\n" });
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
