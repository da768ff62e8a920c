import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { exitCodeOf } from '../../src/cli/exit-codes.js';
import { NetsecError, readOutput, writeOutput } from '../../src/index.js';
import { run } from '../cli/run.js';
import { snapshot } from './output-util.js';

/**
 * OS errors injected into node:fs as netsec's modules see it: the machine runs the tests as root, whom permissions do
 * not stop, and a full disk cannot be made on demand. Each fault fails one call on matching paths, with the code,
 * errno and message Node itself gives (`ENOSPC: no space left on device, write`).
 */
const faults = vi.hoisted(() => ({ rules: [] as { call: string; path: (p: string) => boolean; code: string; errno: number; syscall: string }[] }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const descriptions: Record<string, string> = {
    EACCES: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EMFILE: 'too many open files',
    EPERM: 'operation not permitted',
  };
  const wrap =
    <K extends 'accessSync' | 'writeFileSync' | 'readdirSync' | 'readFileSync' | 'renameSync'>(call: K) =>
    (...args: unknown[]): unknown => {
      const path = String(args[0]);
      const rule = faults.rules.find((r) => r.call === call && r.path(path));
      if (rule) {
        throw Object.assign(new Error(`${rule.code}: ${descriptions[rule.code]}, ${rule.syscall} '${path}'`), { errno: rule.errno, code: rule.code, syscall: rule.syscall, path });
      }
      return (real[call] as (...a: unknown[]) => unknown)(...args);
    };
  const mocked = {
    ...real,
    accessSync: wrap('accessSync'),
    writeFileSync: wrap('writeFileSync'),
    readdirSync: wrap('readdirSync'),
    readFileSync: wrap('readFileSync'),
    renameSync: wrap('renameSync'),
  };
  return { ...mocked, default: mocked };
});

const files = (n: string) => [
  { path: 'lab/a.yaml', content: `a: ${n}\n` },
  { path: 'lab/kustomization.yaml', content: 'k: 1\n' },
];

let root: string;
let out: string;
let before: Record<string, string>;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'netsec-faults-'));
  out = join(root, 'dist');
  writeOutput(files('1'), out);
  before = snapshot(out);
});
afterEach(() => {
  faults.rules.length = 0;
  rmSync(root, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

/** The previous tree is byte for byte as it was, and nothing is left beside it (no staging tree, no lock). */
function expectUntouched(): void {
  expect(snapshot(out)).toEqual(before);
  expect(readdirSync(root)).toEqual(['dist']);
}

describe('writeOutput on a folder it cannot change', () => {
  test('a read-only output folder is found before the swap: exit 2, the path and the OS reason, previous tree unchanged', () => {
    faults.rules.push({ call: 'accessSync', path: (p) => p === out, code: 'EACCES', errno: -13, syscall: 'access' });
    const err = errorOf(() => writeOutput(files('2'), out));
    expect(err).toEqual(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}' is not writable (EACCES: permission denied); nothing was changed; netsec replaces the folder as a whole and must delete the previous files; give this user write access there, or pick another output folder`,
      ),
    );
    expect(exitCodeOf(err)).toBe(2);
    expectUntouched();
  });

  test('a read-only folder inside the output is named', () => {
    faults.rules.push({ call: 'accessSync', path: (p) => p === join(out, 'lab'), code: 'EACCES', errno: -13, syscall: 'access' });
    expect(errorOf(() => writeOutput(files('2'), out))).toEqual(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}': '${join(out, 'lab')}' is not writable (EACCES: permission denied); nothing was changed; netsec replaces the folder as a whole and must delete the previous files; give this user write access there, or pick another output folder`,
      ),
    );
    expectUntouched();
  });

  test('a parent on a read-only file system is found before the lock is taken', () => {
    faults.rules.push({ call: 'accessSync', path: (p) => p === root, code: 'EROFS', errno: -30, syscall: 'access' });
    expect(errorOf(() => writeOutput(files('2'), out))).toEqual(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}': its parent folder '${root}' is not writable (EROFS: read-only file system); nothing was changed; netsec writes the new tree and its lock beside the folder; the file system is read-only; pick an output folder on a writable one`,
      ),
    );
    expectUntouched();
  });

  test('a full disk while the new tree is written: exit 2 naming the file, the staging tree removed, the lock released', () => {
    faults.rules.push({ call: 'writeFileSync', path: (p) => p.includes('.dist.netsec-new-') && p.endsWith(join('lab', 'kustomization.yaml')), code: 'ENOSPC', errno: -28, syscall: 'write' });
    const err = errorOf(() => writeOutput(files('2'), out));
    expect(err).toEqual(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}': cannot write '${join(out, 'lab', 'kustomization.yaml')}' (ENOSPC: no space left on device); nothing was changed; free some disk space and run again`,
      ),
    );
    expect(exitCodeOf(err)).toBe(2);
    expectUntouched();
  });

  test('a failed second rename puts the previous tree back', () => {
    faults.rules.push({ call: 'renameSync', path: (p) => p.includes('.dist.netsec-new-'), code: 'EPERM', errno: -1, syscall: 'rename' });
    expect(errorOf(() => writeOutput(files('2'), out))).toEqual(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}': cannot swap in the new tree (EPERM: operation not permitted); the previous tree was kept; give this user write access there, or pick another output folder`,
      ),
    );
    expectUntouched();
  });

  test('netsec synth reports it with exit 2 and the message, never as a bug', async () => {
    writeFileSync(join(root, 'netsec.yaml'), 'targets:\n  - { name: lab, kubernetes: "1.30", cilium: "1.18" }\negressBlocking:\n  - name: geo\n    cidrs: [198.51.100.0/24]\n');
    faults.rules.push({ call: 'accessSync', path: (p) => p === out, code: 'EACCES', errno: -13, syscall: 'access' });
    const { code, stderr } = await run('synth', '-c', join(root, 'netsec.yaml'), '--out', out);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `netsec: output folder '${out}' is not writable (EACCES: permission denied); nothing was changed; netsec replaces the folder as a whole and must delete the previous files; give this user write access there, or pick another output folder\n`,
    );
    expect(stderr).not.toContain('bug');
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['dist', 'netsec.yaml']);
  });
});

describe('readOutput on a folder it cannot read', () => {
  test('too many open files while listing a folder', () => {
    faults.rules.push({ call: 'readdirSync', path: (p) => p === join(out, 'lab'), code: 'EMFILE', errno: -24, syscall: 'scandir' });
    expect(errorOf(() => readOutput(out))).toEqual(
      new NetsecError('ENVIRONMENT', `output folder '${out}': cannot read '${join(out, 'lab')}' (EMFILE: too many open files); raise the open-file limit (ulimit -n) and run again`),
    );
  });

  test('a file this user may not read', () => {
    faults.rules.push({ call: 'readFileSync', path: (p) => p === join(out, 'lab', 'a.yaml'), code: 'EACCES', errno: -13, syscall: 'open' });
    expect(errorOf(() => readOutput(out))).toEqual(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}': cannot read '${join(out, 'lab', 'a.yaml')}' (EACCES: permission denied); give this user read access there`,
      ),
    );
  });
});
