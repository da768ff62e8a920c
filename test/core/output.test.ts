import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { NetsecError, OUTPUT_MARKER, OutputLockedError, readOutput, recoverOutput, writeOutput, writeOutputAsync } from '../../src/index.js';
import { exitCodeOf } from '../../src/cli/exit-codes.js';
import { snapshot } from './output-util.js';

const files = (n: string) => [
  { path: 'lab/a.yaml', content: `a: ${n}\n` },
  { path: 'lab/kustomization.yaml', content: 'k: 1\n' },
];
const MARKER_TEXT = 'This folder is written by `netsec synth`, which replaces it as a whole on every run. Do not edit files here.\n';
const tree = (n: string) => ({ [OUTPUT_MARKER]: MARKER_TEXT, 'lab/': '', 'lab/a.yaml': `a: ${n}\n`, 'lab/kustomization.yaml': 'k: 1\n' });

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A fresh folder holding an output folder `dist` written once (`a: 1`). */
function workspace(): { root: string; out: string } {
  root = mkdtempSync(join(tmpdir(), 'netsec-output-'));
  const out = join(root, 'dist');
  writeOutput(files('1'), out);
  return { root, out };
}

/** Pretends another run holds the lock on `out`: the lock folder with its holder file, refreshed now. */
function holdLock(out: string, holder = { pid: 4242, host: 'ci-7', since: '2025-01-02T03:04:05.000Z' }): string {
  const lock = `${out}.netsec-lock`;
  mkdirSync(lock);
  writeFileSync(join(lock, 'holder.json'), JSON.stringify(holder));
  return lock;
}

describe('writeOutput: leftovers of killed runs', () => {
  test('staging and previous trees with this very pid (a container runs netsec as the same pid every time) are removed, not collided with', () => {
    const { root, out } = workspace();
    for (const name of [`.dist.netsec-new-${process.pid}`, `.dist.netsec-old-${process.pid}`, `.dist.netsec-new-${process.pid}-0a1b2c3d`]) {
      mkdirSync(join(root, name, 'lab'), { recursive: true });
      writeFileSync(join(root, name, 'lab', 'a.yaml'), 'stale\n');
    }
    const { notes } = writeOutput(files('2'), out);
    expect(snapshot(out)).toEqual(tree('2'));
    expect(readdirSync(root)).toEqual(['dist']);
    expect([...notes].sort()).toEqual(
      [`.dist.netsec-new-${process.pid}`, `.dist.netsec-old-${process.pid}`, `.dist.netsec-new-${process.pid}-0a1b2c3d`]
        .map((n) => `removed '${join(root, n)}', left by a netsec run that was killed while writing '${out}'`)
        .sort(),
    );
  });

  test('staging names are unique per run: pid plus a random suffix', async () => {
    const { root, out } = workspace();
    const control = mkdtempSync(join(tmpdir(), 'netsec-pause-'));
    const seen: string[] = [];
    process.env.__NETSEC_TEST_PAUSE = `staged:${control}`;
    try {
      for (let i = 0; i < 2; i++) {
        const write = writeOutputAsync(files(String(i)), out);
        while (!existsSync(join(control, 'staged.reached'))) await new Promise((r) => setTimeout(r, 10));
        seen.push(...readdirSync(root).filter((n) => n.startsWith('.dist.netsec-new-')));
        writeFileSync(join(control, 'staged.go'), '');
        await write;
        rmSync(join(control, 'staged.reached'));
        rmSync(join(control, 'staged.go'));
      }
    } finally {
      delete process.env.__NETSEC_TEST_PAUSE;
      rmSync(control, { recursive: true, force: true });
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    for (const n of seen) expect(n).toMatch(new RegExp(`^\\.dist\\.netsec-new-${process.pid}-[0-9a-f]{8}$`));
    expect(readdirSync(root)).toEqual(['dist']);
  });

  test('a run killed between its two renames left no folder: the next run restores the previous tree first, and discards the new one even when whole', () => {
    const { root, out } = workspace();
    const previous = join(root, '.dist.netsec-old-77-aaaaaaaa');
    const staged = join(root, '.dist.netsec-new-77-bbbbbbbb');
    writeOutput(files('2'), join(root, 'tmp')); // a whole tree, with the marker
    renameSync(join(root, 'tmp'), staged);
    renameSync(out, previous);

    const { notes } = recoverOutput(out);
    expect(notes).toEqual([
      `output folder '${out}' was missing because a netsec run was killed while it swapped in a new tree; restored the previous tree from '${previous}'`,
      `removed '${staged}', left by a netsec run that was killed while writing '${out}'`,
    ]);
    expect(snapshot(out)).toEqual(tree('1'));
    expect(readdirSync(root)).toEqual(['dist']);
  });

  test('recoverOutput does nothing (and takes no lock) when there is nothing to repair', () => {
    const { root, out } = workspace();
    expect(recoverOutput(out).notes).toEqual([]);
    expect(recoverOutput(join(root, 'missing', 'dist')).notes).toEqual([]);
    expect(readdirSync(root)).toEqual(['dist']);
  });

  test('of several previous trees, the one written last is restored (by its marker\'s time)', () => {
    const { root, out } = workspace();
    // Named so that the name order alone would pick the older one.
    const older = join(root, '.dist.netsec-old-0-00000000');
    const newer = join(root, '.dist.netsec-old-1-00000000');
    writeOutput(files('old'), join(root, 'x'));
    const [then, later] = [new Date(Date.now() - 60_000), new Date()];
    utimesSync(join(root, 'x', OUTPUT_MARKER), then, then);
    utimesSync(join(out, OUTPUT_MARKER), later, later);
    renameSync(join(root, 'x'), older);
    renameSync(out, newer);
    recoverOutput(out);
    expect(snapshot(out)).toEqual(tree('1'));
    expect(readdirSync(root)).toEqual(['dist']);
  });
});

describe('writeOutput: the lock', () => {
  test('another live run holds the lock: writeOutput fails at once with exit 2, naming the holder and the lock; nothing changes', () => {
    const { root, out } = workspace();
    holdLock(out);
    const before = snapshot(out);
    let err: unknown;
    try {
      writeOutput(files('2'), out);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutputLockedError);
    expect((err as Error).message).toBe(
      `output folder '${out}' is locked by another netsec run (pid 4242 on host ci-7 since 2025-01-02T03:04:05.000Z; lock '${out}.netsec-lock'); ` +
        `gave up after 0 s; wait until that run ends, or delete '${out}.netsec-lock' if no netsec run is active`,
    );
    expect(exitCodeOf(err)).toBe(2);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['dist', 'dist.netsec-lock']);
  });

  test('a lock without a holder file (its run was killed before writing it) is reported as holder unknown', async () => {
    const { out } = workspace();
    mkdirSync(`${out}.netsec-lock`);
    const err = await writeOutputAsync(files('2'), out, { lockWaitMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputLockedError);
    expect((err as OutputLockedError).code).toBe('ENVIRONMENT');
    expect((err as Error).message).toBe(
      `output folder '${out}' is locked by another netsec run (holder unknown; lock '${out}.netsec-lock'); gave up after 0 s; wait until that run ends, or delete '${out}.netsec-lock' if no netsec run is active`,
    );
  });

  test('a stale lock (its run was killed and stopped refreshing it) is taken over, with a note', () => {
    const { root, out } = workspace();
    const lock = holdLock(out);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, longAgo, longAgo);
    const { notes } = writeOutput(files('2'), out);
    expect(notes).toEqual([`took over the lock '${out}.netsec-lock' of a netsec run that stopped without releasing it (pid 4242 on host ci-7 since 2025-01-02T03:04:05.000Z)`]);
    expect(snapshot(out)).toEqual(tree('2'));
    expect(readdirSync(root)).toEqual(['dist']);
  });

  test('two writes at once on one folder: the second waits for the first, and the folder ends up whole, from one run', async () => {
    const { root, out } = workspace();
    const first = files('first').concat({ path: 'first-only/x.yaml', content: 'x: 1\n' });
    const second = files('second');
    const results = await Promise.all([writeOutputAsync(first, out), writeOutputAsync(second, out)]);
    expect(results.map((r) => r.notes)).toEqual([[], []]);
    expect(snapshot(out)).toEqual(tree('second'));
    expect(readdirSync(root)).toEqual(['dist']);
  });

  test('while a run holds the lock, the lock file lives beside the folder and names this process', async () => {
    const { root, out } = workspace();
    const write = writeOutputAsync(files('2'), out);
    expect(readdirSync(root).filter((n) => !n.startsWith('.')).sort()).toEqual(['dist', 'dist.netsec-lock']);
    const holder = JSON.parse(readFileSync(join(`${out}.netsec-lock`, 'holder.json'), 'utf8'));
    expect(holder).toEqual({ pid: process.pid, host: hostname(), since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    await write;
    expect(readdirSync(root)).toEqual(['dist']);
  });

  test('an abort while waiting for the lock stops at once, and leaves the other run its lock', async () => {
    const { root, out } = workspace();
    holdLock(out);
    const before = snapshot(out);
    const controller = new AbortController();
    const write = writeOutputAsync(files('2'), out, { signal: controller.signal, lockWaitMs: 60_000 });
    controller.abort('SIGINT');
    await expect(write).rejects.toBe('SIGINT');
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['dist', 'dist.netsec-lock']);
    expect(readdirSync(join(root, 'dist.netsec-lock'))).toEqual(['holder.json']);
  });

  test('an abort during the write removes the new tree, keeps the previous one and releases the lock', async () => {
    const { root, out } = workspace();
    const before = snapshot(out);
    const controller = new AbortController();
    const write = writeOutputAsync(files('2').concat(files('3').map((f) => ({ ...f, path: `more/${f.path}` }))), out, { signal: controller.signal });
    controller.abort('SIGTERM');
    await expect(write).rejects.toBe('SIGTERM');
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(root)).toEqual(['dist']);
  });
});

describe('writeOutput: where it writes', () => {
  test('a symbolic link --out stays a link; the folder it points to is replaced, with the lock and staging beside that folder', () => {
    root = mkdtempSync(join(tmpdir(), 'netsec-output-'));
    const gitops = join(root, 'gitops', 'clusters');
    mkdirSync(join(root, 'gitops'));
    writeOutput(files('1'), gitops);
    const link = join(root, 'repo', 'dist');
    mkdirSync(join(root, 'repo'));
    symlinkSync('../gitops/clusters', link);

    writeOutput(files('2'), link);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../gitops/clusters');
    expect(snapshot(gitops)).toEqual(tree('2'));
    expect(readOutput(link)).toEqual(new Map([['lab/a.yaml', 'a: 2\n'], ['lab/kustomization.yaml', 'k: 1\n']]));
    expect(readdirSync(join(root, 'gitops'))).toEqual(['clusters']);
    expect(readdirSync(join(root, 'repo'))).toEqual(['dist']);
  });

  test('a symbolic link --out to nowhere is refused, naming the link target', () => {
    root = mkdtempSync(join(tmpdir(), 'netsec-output-'));
    symlinkSync('../gone', join(root, 'dist'));
    const expected = new NetsecError('USAGE', `output folder '${join(root, 'dist')}' is a symbolic link to '../gone', which does not exist; expected a link to a folder; create that folder or fix the link`);
    expect(() => writeOutput(files('1'), join(root, 'dist'))).toThrow(expected);
    expect(() => readOutput(join(root, 'dist'))).toThrow(expected);
  });

  test('the file system root is refused, for writing and for reading', () => {
    const expected = new NetsecError('USAGE', "output folder '/' is the root of the file system; expected a folder that netsec may replace as a whole; pick a folder below it (for example dist)");
    expect(() => writeOutput(files('1'), '/')).toThrow(expected);
    expect(() => readOutput('/')).toThrow(expected);
  });

  test('a file is refused, for writing and for reading', () => {
    root = mkdtempSync(join(tmpdir(), 'netsec-output-'));
    const file = join(root, 'dist');
    writeFileSync(file, 'not a folder');
    expect(() => writeOutput(files('1'), file)).toThrow(
      new NetsecError('USAGE', `output folder '${file}' is a file; expected a folder that netsec may replace as a whole; pick another output folder`),
    );
    expect(() => readOutput(file)).toThrow(new NetsecError('USAGE', `output folder '${file}' is a file; expected the folder netsec synth writes; point it at that folder`));
    expect(readdirSync(root)).toEqual(['dist']);
  });

  test('a path through a file is an environment error with the OS reason, not a crash', () => {
    root = mkdtempSync(join(tmpdir(), 'netsec-output-'));
    writeFileSync(join(root, 'file'), 'x');
    const out = join(root, 'file', 'dist');
    let err: unknown;
    try {
      writeOutput(files('1'), out);
    } catch (e) {
      err = e;
    }
    expect(err).toEqual(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}': cannot inspect it (ENOTDIR: not a directory); check that every part of the path is a folder (not a file or a link loop) and run again`,
      ),
    );
    expect(exitCodeOf(err)).toBe(2);
  });

  test('relative folders are named as given; the lock path too', () => {
    const { out } = workspace();
    holdLock(out);
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(() => writeOutput(files('2'), 'dist')).toThrow(
        "output folder 'dist' is locked by another netsec run (pid 4242 on host ci-7 since 2025-01-02T03:04:05.000Z; lock 'dist.netsec-lock'); gave up after 0 s; wait until that run ends, or delete 'dist.netsec-lock' if no netsec run is active",
      );
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('readOutput', () => {
  test('a folder netsec did not write is refused, not walked', () => {
    root = mkdtempSync(join(tmpdir(), 'netsec-output-'));
    writeFileSync(join(root, 'README.md'), 'mine');
    expect(() => readOutput(root)).toThrow(
      new NetsecError('USAGE', `output folder '${root}' was not written by netsec (no ${OUTPUT_MARKER} in it); expected the folder netsec synth writes; point it at that folder`),
    );
  });

  test('a missing folder is empty, unless a killed run left its previous tree beside it', () => {
    const { root, out } = workspace();
    expect(readOutput(join(root, 'other'))).toEqual(new Map());
    renameSync(out, join(root, '.dist.netsec-old-9-12345678'));
    expect(() => readOutput(out)).toThrow(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}' is missing, but '${join(root, '.dist.netsec-old-9-12345678')}' holds its previous tree (a netsec run was killed while it swapped in a new one); run netsec synth to restore it, or delete '${join(root, '.dist.netsec-old-9-12345678')}'`,
      ),
    );
  });

  test.each([
    ['a link to a file', (dir: string) => symlinkSync('a.yaml', join(dir, 'lab', 'link.yaml'))],
    ['a dangling link', (dir: string) => symlinkSync('nowhere.yaml', join(dir, 'lab', 'link.yaml'))],
    ['a link loop', (dir: string) => symlinkSync('link.yaml', join(dir, 'lab', 'link.yaml'))],
    ['a link to a folder', (dir: string) => symlinkSync('..', join(dir, 'lab', 'link.yaml'))],
  ])('a symbolic link inside the folder (%s) is reported, never followed', (_what, makeLink) => {
    const { out } = workspace();
    makeLink(out);
    let err: unknown;
    try {
      readOutput(out);
    } catch (e) {
      err = e;
    }
    expect(err).toEqual(
      new NetsecError(
        'ENVIRONMENT',
        `output folder '${out}' contains a symbolic link '${join(out, 'lab', 'link.yaml')}'; netsec never writes links, so it was added by hand; remove it (netsec synth replaces the folder as a whole)`,
      ),
    );
    expect(exitCodeOf(err)).toBe(2);
  });

  test('the marker is skipped only at the top of the folder', () => {
    const { out } = workspace();
    writeFileSync(join(out, 'lab', OUTPUT_MARKER), 'x');
    expect([...readOutput(out).keys()]).toEqual([`lab/${OUTPUT_MARKER}`, 'lab/a.yaml', 'lab/kustomization.yaml']);
  });
});

test('the previous output is really gone after a write (no debris, no lock)', () => {
  const { root, out } = workspace();
  writeOutput(files('2'), out);
  expect(existsSync(`${out}.netsec-lock`)).toBe(false);
  expect(readdirSync(root)).toEqual(['dist']);
});
