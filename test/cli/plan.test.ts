import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { PLAN_EXIT_CODES_HELP, checkPlanOptions, unknownFlags } from '../../src/cli/commands/plan.js';
import { systemErrorText } from '../../src/core/system-error.js';
import { run } from './run.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TARGET_C = '  - { name: c, kubernetes: "1.30", cilium: "1.18", cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] } }\n';
const TARGET_D = '  - { name: d, kubernetes: "1.30", calico: "3.30", cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] } }\n';

/** A folder with a netsec.yaml blocking `cidrs` on the given targets; `out` is where synth writes. */
function project(cidrs: string[], targets = TARGET_C): { dir: string; config: string; out: string; write: (cidrs: string[], targets?: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'netsec-plan-'));
  dirs.push(dir);
  const config = join(dir, 'netsec.yaml');
  const write = (list: string[], t = targets): void =>
    writeFileSync(config, `targets:\n${t}egressBlocking:\n  - name: geo\n    cidrs: [${list.join(', ')}]\n`);
  write(cidrs);
  return { dir, config, out: join(dir, 'dist'), write };
}

async function synth(p: { config: string; out: string }): Promise<void> {
  const r = await run('synth', '-c', p.config, '--out', p.out);
  expect(r.code).toBe(0);
}

describe('netsec plan exit codes', () => {
  test('no changes: 0, and 0 with --detailed-exitcode', async () => {
    const p = project(['198.51.100.0/24', '203.0.113.0/24']);
    await synth(p);
    const expected = { code: 0, stdout: `No changes: ${p.out}/ matches the configuration (3 files).\n`, stderr: '' };
    expect(await run('plan', '-c', p.config, '--out', p.out)).toEqual(expected);
    expect(await run('plan', '-c', p.config, '--out', p.out, '--detailed-exitcode')).toEqual(expected);
  });

  test('changes: 0 without the flag, 2 with it; the text names the block and its prefix totals', async () => {
    const p = project(['198.51.100.0/24', '203.0.113.0/24']);
    await synth(p);
    p.write(['198.51.100.0/24', '192.0.2.0/24']);
    const expected =
      `~ ${p.out}/c/egress-blocking.yaml\n` +
      '    ~ egress block geo (CiliumCIDRGroup.cilium.io): +1 / -1 prefixes; 1 shard: 1 changed\n' +
      '        ~ geo: prefixes +1 / -1\n' +
      '\n' +
      "Prefixes per block (all shards of a block compared as one set, as 'netsec cidrs diff' counts them):\n" +
      '  c: egress block geo (CiliumCIDRGroup): +1 / -1 prefixes (2 -> 2); 1 shard: 1 changed\n' +
      'Plan: 0 file(s) to add, 1 to change, 0 to remove; 0 object(s) to add, 1 to change, 0 to remove; prefixes +1 / -1.\n';
    expect(await run('plan', '-c', p.config, '--out', p.out)).toEqual({ code: 0, stdout: expected, stderr: '' });
    expect(await run('plan', '-c', p.config, '--out', p.out, '--detailed-exitcode')).toEqual({ code: 2, stdout: expected, stderr: '' });
  });

  test('a config error: 2 without the flag, 1 with it (never 2, which would read as "changes")', async () => {
    const missing = join(tmpdir(), 'netsec-plan-no-such-dir', 'netsec.yaml');
    const plain = await run('plan', '-c', missing);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toBe('');
    expect(plain.stderr.startsWith(`${missing}: cannot read the config file`)).toBe(true);
    expect(await run('plan', '-c', missing, '--detailed-exitcode')).toEqual({ ...plain, code: 1 });
  });

  test('findings (a refused block list): 1 with and without the flag', async () => {
    const p = project(['0.0.0.0/0']);
    for (const flags of [[], ['--detailed-exitcode']]) {
      const r = await run('plan', '-c', p.config, '--out', p.out, ...flags);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain("CiliumEgressBlock 'geo' contains '0.0.0.0/0'");
    }
  });

  test('an unknown flag: 2 without --detailed-exitcode, 1 with it, with a JSON error under --output json', async () => {
    const p = project(['198.51.100.0/24']);
    const message = "Unknown argument: --outt; expected --config, --app, --out, --output or --detailed-exitcode. Run 'netsec plan --help' for usage.";
    expect(await run('plan', '-c', p.config, '--outt', 'x')).toEqual({ code: 2, stdout: '', stderr: `netsec: ${message}\n` });
    const r = await run('plan', '-c', p.config, '--outt', 'x', '--detailed-exitcode', '--output', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, exitCode: 1, error: { code: 'USAGE', message } });
  });

  test('a misspelled --detailed-exitcode still exits 1, not 2 (a pipeline would read 2 as "changes")', async () => {
    const p = project(['198.51.100.0/24']);
    expect(await run('plan', '-c', p.config, '--detailed-exitcod')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "netsec: Unknown argument: --detailed-exitcod; expected --config, --app, --out, --output or --detailed-exitcode. Did you mean --detailed-exitcode? Run 'netsec plan --help' for usage.\n",
    });
  });

  test('--help states the exit codes of both modes', async () => {
    const r = await run('plan', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(PLAN_EXIT_CODES_HELP.replace(/\s+/g, ' '));
    expect(PLAN_EXIT_CODES_HELP).toBe(
      'Exit codes: 0 the plan was computed, with or without changes; 1 findings (the configuration fails validation); 2 usage or config error (a flag, netsec.yaml, a feed, --out); 3 a bug in netsec.\n\n' +
        'With --detailed-exitcode, as terraform plan -detailed-exitcode: 0 no changes; 2 changes present (synth would change --out); 1 any error: findings, usage, config, --out, even a bug (the message on stderr, or "error" with --output json, says which).',
    );
  });

  test('docs/egress-blocking.md gives the same exit codes', () => {
    const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'egress-blocking.md'), 'utf8');
    for (const row of [
      '| 0 | the plan was computed, with or without changes | no changes: dist/ is what synth would write |',
      '| 1 | findings: the configuration fails validation | any error: findings, a usage or config error, an unreadable `--out`, even a bug in netsec |',
      '| 2 | usage or config error (a flag, netsec.yaml, a feed, `--out`) | changes present: synth would change dist/ |',
      '| 3 | a bug in netsec | (not used: a bug is 1) |',
    ]) {
      expect(docs).toContain(row);
    }
  });
});

describe('netsec plan --output json', () => {
  test('a plan is one JSON document: ok, changes, files, blocks, summary', async () => {
    const p = project(['198.51.100.0/24', '203.0.113.0/24']);
    await synth(p);
    p.write(['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24']);
    const r = await run('plan', '-c', p.config, '--out', p.out, '--output', 'json', '--detailed-exitcode');
    expect(r.code).toBe(2);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({
      ok: true,
      changes: true,
      files: [
        {
          path: 'c/egress-blocking.yaml',
          action: 'change',
          objects: [
            {
              action: 'change',
              object: 'CiliumCIDRGroup.cilium.io geo',
              ref: { apiVersion: 'cilium.io/v2', group: 'cilium.io', kind: 'CiliumCIDRGroup', name: 'geo' },
              fields: [{ path: 'spec.externalCIDRs', added: 1, removed: 0 }],
            },
          ],
        },
      ],
      blocks: [{ target: 'c', block: 'geo', kind: 'CiliumCIDRGroup', ownedBy: 'label', prefixesBefore: 2, prefixesAfter: 3, prefixesAdded: 1, prefixesRemoved: 0 }],
      summary: { filesAdded: 0, filesChanged: 1, filesRemoved: 0, filesUnchanged: 2, prefixesAdded: 1, prefixesRemoved: 0 },
    });
  });

  test('a config error is a JSON object on stdout too, never an empty stdout; it says what stderr says', async () => {
    const p = project(['198.51.100.0/24']);
    writeFileSync(p.config, 'targets: [\n');
    const r = await run('plan', '-c', p.config, '--output', 'json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: false, exitCode: 2, error: { code: 'CONFIG', location: { line: 2, column: 1 } } });
    // The CLI's one renderer: located lines start with their file:line:col.
    expect(r.stderr).toBe(`${doc.error.message}\n`);
  });

  test('findings are a JSON object with the error, located, and exit 1', async () => {
    const p = project(['0.0.0.0/0']);
    const r = await run('plan', '-c', p.config, '--out', p.out, '--output', 'json', '--detailed-exitcode');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: false, exitCode: 1, error: { code: 'INVALID', location: { line: 4, column: 5 } } });
    expect(r.stderr).toBe(`${doc.error.message}\n`);
  });
});

describe('netsec plan on the output folder', () => {
  test('a whole file removed: a target dropped from netsec.yaml lists its files and objects as removed', async () => {
    const p = project(['198.51.100.0/24'], TARGET_C + TARGET_D);
    await synth(p);
    expect(readdirSync(p.out).sort()).toEqual(['.netsec-output', 'c', 'd']);
    p.write(['198.51.100.0/24'], TARGET_C);
    const r = await run('plan', '-c', p.config, '--out', p.out, '--output', 'json', '--detailed-exitcode');
    expect(r.code).toBe(2);
    const plan = JSON.parse(r.stdout);
    const removed = plan.files.filter((f: { action: string }) => f.action === 'remove');
    expect(removed.map((f: { path: string }) => f.path)).toEqual(['d/egress-blocking.yaml', 'd/kustomization.yaml']);
    expect(removed[0].objects.map((o: { action: string; object: string }) => `${o.action} ${o.object}`)).toEqual([
      'remove Tier.crd.projectcalico.org egress-blocking',
      'remove GlobalNetworkSet.crd.projectcalico.org geo',
      'remove GlobalNetworkPolicy.crd.projectcalico.org egress-blocking.geo',
    ]);
    // The removed block's prefixes are counted as removed from that target.
    expect(plan.blocks).toMatchObject([{ target: 'd', block: 'geo', kind: 'GlobalNetworkSet', prefixesAdded: 0, prefixesRemoved: 1, shards: [{ name: 'geo', action: 'remove' }] }]);
    expect(plan.summary).toMatchObject({ filesRemoved: 2, objectsRemoved: 4, prefixesRemoved: 1 });
  });

  test('--out that is a file is a usage error naming the flag (2; 1 with --detailed-exitcode), not a bug', async () => {
    const p = project(['198.51.100.0/24']);
    const file = join(p.dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const stderr = `netsec: --out ${file}: exists and is not a folder; expected the output folder 'netsec synth' writes (default dist). Pass that folder with --out.\n`;
    expect(await run('plan', '-c', p.config, '--out', file)).toEqual({ code: 2, stdout: '', stderr });
    expect(await run('plan', '-c', p.config, '--out', file, '--detailed-exitcode')).toEqual({ code: 1, stdout: '', stderr });
  });

  test('--out at a folder netsec did not write (such as /) is refused before anything is read', async () => {
    const p = project(['198.51.100.0/24']);
    const foreign = join(p.dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'README.md'), 'x');
    expect(await run('plan', '-c', p.config, '--out', foreign)).toEqual({
      code: 2,
      stdout: '',
      stderr: `netsec: --out ${foreign}: the folder is not empty and was not written by netsec (no .netsec-output), so 'netsec synth' would refuse to replace it; expected the output folder synth writes. Pass that folder with --out, or an empty or new one.\n`,
    });
  });

  test('a missing output folder: every file is to be added', async () => {
    const p = project(['198.51.100.0/24']);
    const r = await run('plan', '-c', p.config, '--out', p.out, '--detailed-exitcode');
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('+ '))).toEqual([`+ ${p.out}/c/cilium-values.yaml`, `+ ${p.out}/c/egress-blocking.yaml`, `+ ${p.out}/c/kustomization.yaml`]);
    expect(r.stdout).toContain('Plan: 3 file(s) to add, 0 to change, 0 to remove;');
  });

  test('a symlink and a broken file in the output folder are shown, never followed or parsed into a crash', async () => {
    const p = project(['198.51.100.0/24']);
    await synth(p);
    symlinkSync('/', join(p.out, 'c', 'root-link'));
    writeFileSync(join(p.out, 'c', 'kustomization.yaml'), 'resources: [\n');
    const r = await run('plan', '-c', p.config, '--out', p.out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `~ ${p.out}/c/kustomization.yaml\n` +
        '    (the previous file is not valid YAML (2:1: Flow sequence in block collection must be sufficiently indented and end with a ]); synth replaces it)\n' +
        '    + Kustomization.kustomize.config.k8s.io\n' +
        `- ${p.out}/c/root-link\n` +
        '    (a symbolic link (to /))\n' +
        'Plan: 0 file(s) to add, 1 to change, 1 to remove; 1 object(s) to add, 0 to change, 0 to remove; prefixes +0 / -0.\n',
    );
  });

  test('a FIFO in the output folder is listed, never opened (reading it would wait forever)', async () => {
    const p = project(['198.51.100.0/24']);
    await synth(p);
    execFileSync('mkfifo', [join(p.out, 'c', 'pipe')]);
    const r = await run('plan', '-c', p.config, '--out', p.out, '--detailed-exitcode');
    expect(r).toEqual({
      code: 2,
      stdout: `- ${p.out}/c/pipe\n    (not a regular file)\nPlan: 0 file(s) to add, 0 to change, 1 to remove; 0 object(s) to add, 0 to change, 0 to remove; prefixes +0 / -0.\n`,
      stderr: '',
    });
  });

  test('file-system errors are named by the OS, without the absolute path Node puts in its message', () => {
    const err = Object.assign(new Error("EACCES: permission denied, open '/home/me/dist/c/x.yaml'"), { errno: -13, code: 'EACCES', syscall: 'open' });
    expect(systemErrorText(err)).toBe('EACCES: permission denied');
  });

  test('a hand edit in dist/ is drift: the plan shows it and --detailed-exitcode says 2', async () => {
    const p = project(['198.51.100.0/24', '203.0.113.0/24']);
    await synth(p);
    const file = join(p.out, 'c', 'egress-blocking.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    - 203.0.113.0/24\n', ''));
    const r = await run('plan', '-c', p.config, '--out', p.out, '--detailed-exitcode');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('  c: egress block geo (CiliumCIDRGroup): +1 / -0 prefixes (1 -> 2); 1 shard: 1 changed\n');
  });
});

describe('netsec plan: changes the cluster refuses as updates', () => {
  test('skipRedirectFromBackend turned on for NodeLocal DNSCache: the Local Redirect Policy must be replaced, in text and JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsec-plan-'));
    dirs.push(dir);
    const config = join(dir, 'netsec.yaml');
    const out = join(dir, 'dist');
    const write = (extra: string): void =>
      writeFileSync(config, `targets:\n  - { name: aks, kubernetes: "1.30", cilium: "1.17", cluster: { nodeLocalDns: true } }\nnodeLocalDns:\n  - targets: [aks]\n${extra}`);
    write('');
    await synth({ config, out });
    write('    skipRedirectFromBackend: true\n');
    const text = await run('plan', '-c', config, '--out', out);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      '    -/+ CiliumLocalRedirectPolicy.cilium.io kube-system/nodelocaldns (must be replaced: the API server refuses this change as an update)\n' +
        '        ! spec.skipRedirectFromBackend: skipRedirectFromBackend is immutable: it differs from the committed copy, and the API server refuses the update ' +
        '(CRD rule `self == oldSelf`). Delete the object and apply it again (kubectl replace --force -f FILE does both).\n' +
        '        spec.skipRedirectFromBackend: null -> true\n',
    );
    expect(text.stdout).toContain('Warning: 1 object cannot be updated in place (-/+ above)');
    const json = JSON.parse((await run('plan', '-c', config, '--out', out, '--output', 'json')).stdout);
    expect(json.summary.objectsToReplace).toBe(1);
    const lrp = json.files.flatMap((f: { objects: { object: string; refused?: unknown }[] }) => f.objects).find((o: { object: string }) => o.object.startsWith('CiliumLocalRedirectPolicy'));
    expect(lrp.refused.map((r: { path: string }) => r.path)).toEqual(['spec.skipRedirectFromBackend']);
  });
});

describe('plan flag checks', () => {
  test('unknown flags are named once, as typed, whatever twins yargs adds', () => {
    const known = { key: { config: true, c: true, out: true, output: true, 'detailed-exitcode': true, verbose: true, help: true, version: true }, alias: { config: ['c'], help: ['h'], version: ['V'] } };
    expect(unknownFlags({ _: ['plan'], $0: 'netsec', config: 'x', c: 'x', 'detailed-exitcode': true, detailedExitcode: true }, known)).toEqual([]);
    expect(unknownFlags({ _: ['plan'], $0: 'netsec', 'detailed-exitcod': true, detailedExitcod: true, x: true }, known)).toEqual(['detailed-exitcod', 'x']);
  });

  test('positional words, an unknown format and a repeated --out are usage errors', () => {
    const base = { config: 'netsec.yaml', out: 'dist', output: 'text' as const };
    expect(checkPlanOptions({ ...base, _: ['plan', 'dist'] })).toBe("'netsec plan' takes no positional arguments (got 'dist'); name the config with --config and the output folder with --out.");
    expect(checkPlanOptions({ ...base, output: 'yaml' as never })).toBe("--output is 'yaml'; expected one of: text, json.");
    expect(checkPlanOptions({ ...base, out: ['a', 'b'] as never })).toBe('--out is given more than once; expected one path, e.g. --out dist.');
    expect(checkPlanOptions(base)).toBeUndefined();
  });
});
