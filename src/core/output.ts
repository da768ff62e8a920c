import { randomUUID } from 'node:crypto';
import { Dirent, Stats, accessSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, parse, relative, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { NetsecError } from './errors.js';
import { HeldLock, LockPlace, describeHolder, lockOutput, lockOutputWaiting, pause } from './output-lock.js';
import { OutputFile } from './synth.js';
import { isSystemError, systemErrorHint, systemErrorText } from './system-error.js';

export { LOCK_STALE_MS, OutputLockedError } from './output-lock.js';
export type { LockHolder } from './output-lock.js';

/** The marker that says a folder is netsec's output, so `synth` may replace it as a whole. */
export const OUTPUT_MARKER = '.netsec-output';
const MARKER_TEXT = 'This folder is written by `netsec synth`, which replaces it as a whole on every run. Do not edit files here.\n';

/**
 * How long `writeOutputAsync` waits for another run's lock by default (ms): longer than `LOCK_STALE_MS`, so a run that
 * starts right after another was killed waits the dead lock out and takes it over instead of failing.
 */
export const DEFAULT_LOCK_WAIT_MS = 15_000;

/** Options for `writeOutputAsync`. */
export interface WriteOutputAsyncOptions {
  /** How long to wait (ms) while another run holds the lock on the folder, before failing. @default DEFAULT_LOCK_WAIT_MS */
  readonly lockWaitMs?: number;
  /**
   * Stops the write: before the swap, the new tree is removed, the previous one stays, the lock is released and the
   * promise rejects with `signal.reason`. Once the swap has begun it completes (the tree is whole either way).
   * @default - not stoppable
   */
  readonly signal?: AbortSignal;
}

/** What a write found and repaired on its way (one sentence each, for the CLI to print as warnings). */
export interface WriteOutputResult {
  /** A tree restored after a crash, debris removed, a stale lock taken over, a previous tree left behind. */
  readonly notes: readonly string[];
}

/**
 * Replaces `outdir` with exactly `files`, as one step as far as the file system allows, while holding a lock on the
 * folder (`<outdir>.netsec-lock`, beside it). If another run holds the lock, throws `OutputLockedError` at once (use
 * `writeOutputAsync` to wait).
 *
 * - The new tree is written beside the folder (`.<name>.netsec-new-<pid>-<random>`) and swapped in with two renames;
 *   if anything fails before the swap, the previous output is untouched.
 * - Under the lock, and before writing, the debris of runs that were killed is repaired: a previous tree left in
 *   `.<name>.netsec-old-*` with no `<name>/` is renamed back, other `.<name>.netsec-{old,new}-*` folders are removed.
 * - A symbolic link `outdir` stays a link: the folder it points to is replaced.
 * - Refuses a non-empty folder netsec did not write (no marker), so `--out .` cannot wipe a repository, and a folder
 *   (or parent) this user cannot change, before touching anything.
 * - OS errors (disk full, permissions, a read-only file system ...) are thrown as `NetsecError`s with code
 *   `ENVIRONMENT` that name the path and the OS reason.
 *
 * Synchronous: SIGINT and SIGTERM are caught while the lock is held (by proper-lockfile's exit hooks, which remove the
 * lock), and Node runs those handlers only after this call returns, so a signal never cuts the swap short.
 */
export function writeOutput(files: readonly OutputFile[], outdir: string): WriteOutputResult {
  const paths = locate(outdir);
  preflight(paths);
  const lock = osStep(paths, `create the lock '${paths.shownLock}'`, NOTHING_CHANGED, () => lockOutput(paths));
  try {
    const notes = prepareUnderLock(paths, lock);
    const staging = besideName(paths, 'new');
    try {
      for (const _ of stage(paths, staging, files)) {
        // Synchronous: nothing to do between files.
      }
      notes.push(...swapIn(paths, staging, lock));
    } catch (err) {
      discard(staging);
      throw err;
    }
    return { notes };
  } finally {
    lock.release();
  }
}

/**
 * `writeOutput`, for long-running callers and the CLI: waits up to `lockWaitMs` for another run's lock, and can be
 * stopped by `signal` (the CLI aborts it on SIGINT/SIGTERM) with no debris left: the new tree is removed, the
 * previous one stays and the lock is released before the promise rejects.
 */
export async function writeOutputAsync(files: readonly OutputFile[], outdir: string, options: WriteOutputAsyncOptions = {}): Promise<WriteOutputResult> {
  const { lockWaitMs = DEFAULT_LOCK_WAIT_MS, signal } = options;
  signal?.throwIfAborted();
  const paths = locate(outdir);
  preflight(paths);
  let lock: HeldLock;
  try {
    lock = await lockOutputWaiting(paths, lockWaitMs, signal, () => testPausePath('waiting'));
  } catch (err) {
    throw isSystemError(err) ? environmentError(paths, `create the lock '${paths.shownLock}'`, err, NOTHING_CHANGED) : err;
  }
  try {
    const notes = prepareUnderLock(paths, lock);
    await testPause('locked', signal);
    const staging = besideName(paths, 'new');
    try {
      for (const _ of stage(paths, staging, files)) {
        // Let the event loop run between files, so a signal handler can abort a long write.
        await nextTurn();
        signal?.throwIfAborted();
      }
      await testPause('staged', signal);
      signal?.throwIfAborted();
      // From here on synchronous: no signal handler runs between the two renames.
      notes.push(...swapIn(paths, staging, lock));
    } catch (err) {
      discard(staging);
      throw err;
    }
    return { notes };
  } finally {
    lock.release();
  }
}

/**
 * Repairs the debris of killed runs beside `outdir` (see `writeOutput`), so that a run that is about to fail for
 * another reason (say, validation) does not leave the folder missing. Does nothing when there is no debris, or when
 * another run holds the lock (that run repairs it). `writeOutput` does the same on its own.
 */
export function recoverOutput(outdir: string): WriteOutputResult {
  const paths = locate(outdir);
  if (!debrisOf(paths).length) return { notes: [] };
  let lock: HeldLock;
  try {
    lock = lockOutput(paths);
  } catch (err) {
    if (err instanceof NetsecError) return { notes: [] };
    throw isSystemError(err) ? environmentError(paths, `create the lock '${paths.shownLock}'`, err, NOTHING_CHANGED) : err;
  }
  try {
    return { notes: [...lockNotes(paths, lock), ...recover(paths)] };
  } finally {
    lock.release();
  }
}

/**
 * Reads a previous output tree (for `plan`): path -> content, without the marker. A missing folder is empty.
 * netsec never writes symbolic links or special files, so one inside the folder is reported, never followed; a
 * symbolic link `outdir` itself is followed, as `writeOutput` does.
 */
export function readOutput(outdir: string): Map<string, string> {
  const paths = locate(outdir);
  const out = new Map<string, string>();
  const found = statTarget(paths);
  if (!found) {
    const [previous] = debrisOf(paths).filter((d) => d.kind === 'old');
    if (previous) {
      throw new NetsecError(
        'ENVIRONMENT',
        `output folder '${outdir}' is missing, but '${paths.show(previous.path)}' holds its previous tree (a netsec run was killed while it swapped in a new one); run netsec synth to restore it, or delete '${paths.show(previous.path)}'`,
      );
    }
    return out;
  }
  if (!found.isDirectory()) throw new NetsecError('USAGE', `output folder '${outdir}' is a file; expected the folder netsec synth writes; point it at that folder`);
  const top = osStep(paths, 'read it', undefined, () => readdirSync(paths.target));
  if (top.length && !top.includes(OUTPUT_MARKER)) {
    throw new NetsecError('USAGE', `output folder '${outdir}' was not written by netsec (no ${OUTPUT_MARKER} in it); expected the folder netsec synth writes; point it at that folder`);
  }
  const walk = (dir: string): void => {
    const shown = paths.inTree(dir);
    for (const entry of osStep(paths, `read '${shown}'`, undefined, () => readdirSync(dir, { withFileTypes: true }))) {
      const full = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        throw new NetsecError('ENVIRONMENT', `output folder '${outdir}' contains a symbolic link '${paths.inTree(full)}'; netsec never writes links, so it was added by hand; remove it (netsec synth replaces the folder as a whole)`);
      }
      if (entry.isDirectory()) walk(full);
      else if (!entry.isFile()) {
        throw new NetsecError('ENVIRONMENT', `output folder '${outdir}' contains '${paths.inTree(full)}', which is neither a file nor a folder; netsec writes only files and folders; remove it`);
      } else if (!(dir === paths.target && entry.name === OUTPUT_MARKER)) {
        out.set(relative(paths.target, full).split('\\').join('/'), osStep(paths, `read '${paths.inTree(full)}'`, undefined, () => readFileSync(full, 'utf8')));
      }
    }
  };
  walk(paths.target);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------

/** Where an output folder, its lock and its staging trees are, and how messages print them. */
interface OutputPaths extends LockPlace {
  /** The folder that holds the output folder, its lock and its staging trees (symlinks resolved). */
  readonly parent: string;
  /** The output folder's own name. */
  readonly name: string;
  /** A path beside the folder as messages print it: relative to the working folder when `outdir` was relative. */
  show(path: string): string;
  /** A path inside the folder as messages print it: through `outdir` as the caller spelled it. */
  inTree(path: string): string;
}

const NOTHING_CHANGED = 'nothing was changed';
const NOTHING_CHANGED_IN_IT = 'the output folder itself was not changed';

/** Resolves `outdir`: a symbolic link (also one in a parent) to the real folder, which is what gets replaced. */
function locate(outdir: string): OutputPaths {
  const abs = resolve(outdir);
  const show = (p: string): string => (isAbsolute(outdir) ? p : relative(process.cwd(), p) || '.');
  const isRoot = (p: string): boolean => p === parse(p).root;
  const rootError = (): NetsecError =>
    new NetsecError('USAGE', `output folder '${outdir}' is the root of the file system; expected a folder that netsec may replace as a whole; pick a folder below it (for example dist)`);
  if (isRoot(abs)) throw rootError();
  let target: string;
  const early = { shownFolder: outdir, show };
  const link = osStep(early, 'inspect it', undefined, () => lstatOrUndefined(abs));
  if (link?.isSymbolicLink()) {
    try {
      target = realpathSync(abs);
    } catch (err) {
      if (isSystemError(err) && err.code === 'ENOENT') {
        throw new NetsecError('USAGE', `output folder '${outdir}' is a symbolic link to '${readlinkSync(abs)}', which does not exist; expected a link to a folder; create that folder or fix the link`);
      }
      throw isSystemError(err) ? environmentError(early, 'follow the symbolic link', err, NOTHING_CHANGED) : err;
    }
    if (isRoot(target)) throw rootError();
  } else {
    target = osStep(early, 'resolve its path', undefined, () => realExisting(abs));
  }
  const parent = dirname(target);
  const name = basename(target);
  const lockPath = join(parent, `${name}.netsec-lock`);
  return {
    target,
    parent,
    name,
    lockPath,
    shownFolder: outdir,
    shownLock: show(lockPath),
    show,
    inTree: (p) => join(outdir, relative(target, p)),
  };
}

/** `p` with symlinks resolved in the part that exists (the rest is created later). */
function realExisting(p: string): string {
  try {
    return realpathSync(p);
  } catch (err) {
    const parent = dirname(p);
    if (isSystemError(err) && err.code === 'ENOENT' && parent !== p) return join(realExisting(parent), basename(p));
    throw err;
  }
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (err) {
    if (isSystemError(err) && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The OS error of one step, as a located, exit-2 `NetsecError`. */
function environmentError(paths: Pick<OutputPaths, 'shownFolder'>, what: string, err: NodeJS.ErrnoException & { code: string }, outcome: string | undefined): NetsecError {
  // A step with an outcome changes (or would have changed) the disk; the others only look.
  const state = outcome ? `; ${outcome}` : '';
  return new NetsecError('ENVIRONMENT', `output folder '${paths.shownFolder}': cannot ${what} (${systemErrorText(err)})${state}; ${systemErrorHint(err.code, outcome ? 'write' : 'read')}`);
}

/**
 * Runs one file-system step; an OS error becomes an `ENVIRONMENT` error that says what could not be done and, for a
 * step that writes, what state it left (`outcome`).
 */
function osStep<T>(paths: Pick<OutputPaths, 'shownFolder'>, what: string, outcome: string | undefined, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw isSystemError(err) ? environmentError(paths, what, err, outcome) : err;
  }
}

/** The folder's stats (following nothing: `target` is already resolved), or undefined when it does not exist. */
function statTarget(paths: OutputPaths): Stats | undefined {
  return osStep(paths, 'inspect it', undefined, () => lstatOrUndefined(paths.target));
}

/** Refuses a file, or a non-empty folder netsec did not write. Returns whether the folder exists. */
function checkTarget(paths: OutputPaths): boolean {
  const found = statTarget(paths);
  if (!found) return false;
  if (!found.isDirectory()) {
    throw new NetsecError('USAGE', `output folder '${paths.shownFolder}' is a file; expected a folder that netsec may replace as a whole; pick another output folder`);
  }
  const entries = osStep(paths, 'read it', NOTHING_CHANGED, () => readdirSync(paths.target));
  if (entries.length && !entries.includes(OUTPUT_MARKER)) {
    throw new NetsecError('USAGE', `output folder '${paths.shownFolder}' is not empty and was not written by netsec (no ${OUTPUT_MARKER} in it); expected an empty, new or netsec-written folder; pick another output folder`);
  }
  return true;
}

/** Checks before taking the lock: the folder may be replaced, and its parent exists and takes new entries. */
function preflight(paths: OutputPaths): void {
  checkTarget(paths);
  osStep(paths, `create its parent folder '${paths.show(paths.parent)}'`, NOTHING_CHANGED, () => mkdirSync(paths.parent, { recursive: true }));
  requireWritable(paths.parent, `output folder '${paths.shownFolder}': its parent folder '${paths.show(paths.parent)}'`, 'netsec writes the new tree and its lock beside the folder');
}

/**
 * `dir` must take new entries and give up old ones. Checked before anything is written: a rename within one parent
 * succeeds even when the folder itself is read-only, and the run would only fail after the swap, deleting the
 * previous tree. `access` also reports EROFS for root, whom permissions do not stop.
 */
function requireWritable(dir: string, subject: string, why: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    if (!isSystemError(err)) throw err;
    throw new NetsecError('ENVIRONMENT', `${subject} is not writable (${systemErrorText(err)}); ${NOTHING_CHANGED}; ${why}; ${systemErrorHint(err.code)}`);
  }
}

/** The existing tree's folders (never following links): each must let netsec delete what is in it. */
function* treeFolders(dir: string): Generator<string> {
  yield dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) yield* treeFolders(join(dir, entry.name));
}

/** Under the lock, before writing: repair debris, then check the folder (possibly just restored) may be replaced. */
function prepareUnderLock(paths: OutputPaths, lock: HeldLock): string[] {
  const notes = [...lockNotes(paths, lock), ...recover(paths)];
  if (checkTarget(paths)) {
    const folders = osStep(paths, 'read it', NOTHING_CHANGED, () => [...treeFolders(paths.target)]);
    for (const dir of folders) {
      const subject = dir === paths.target ? `output folder '${paths.shownFolder}'` : `output folder '${paths.shownFolder}': '${paths.inTree(dir)}'`;
      requireWritable(dir, subject, 'netsec replaces the folder as a whole and must delete the previous files');
    }
  }
  return notes;
}

function lockNotes(paths: OutputPaths, lock: HeldLock): string[] {
  if (!lock.tookOverFrom) return [];
  const holder = lock.tookOverFrom === 'unknown' ? undefined : lock.tookOverFrom;
  return [`took over the lock '${paths.shownLock}' of a netsec run that stopped without releasing it (${describeHolder(holder)})`];
}

/** `.<name>.netsec-new-<pid>-<random>`: unique, so a leftover of a killed run (in a container, with the same pid) never collides. */
function besideName(paths: OutputPaths, kind: 'new' | 'old'): string {
  return join(paths.parent, `.${paths.name}.netsec-${kind}-${process.pid}-${randomUUID().slice(0, 8)}`);
}

interface Debris {
  readonly kind: 'new' | 'old';
  readonly path: string;
  /** When its tree was written (its marker's mtime): of several previous trees, the newest is restored. */
  readonly writtenMs: number;
}

/** Staging (`new`) and previous (`old`) trees of runs that were killed, also those named by older netsec versions (pid only). */
function debrisOf(paths: OutputPaths): Debris[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(paths.parent, { withFileTypes: true });
  } catch (err) {
    if (isSystemError(err) && err.code === 'ENOENT') return [];
    throw isSystemError(err) ? environmentError(paths, `read its parent folder '${paths.show(paths.parent)}'`, err, NOTHING_CHANGED) : err;
  }
  const debris: Debris[] = [];
  for (const entry of entries) {
    for (const kind of ['new', 'old'] as const) {
      if (!entry.name.startsWith(`.${paths.name}.netsec-${kind}-`)) continue;
      const path = join(paths.parent, entry.name);
      debris.push({ kind, path, writtenMs: lstatOrUndefined(join(path, OUTPUT_MARKER))?.mtimeMs ?? 0 });
    }
  }
  // Ties by path in code-unit order: the same on every machine, whatever its locale.
  return debris.sort((a, b) => b.writtenMs - a.writtenMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Repairs what killed runs left (the caller holds the lock, so no live run owns any of it). With no folder and a
 * previous tree beside it, a run was killed between its two renames: the previous tree is renamed back. A new tree
 * of a killed run is never completed into place, even a whole one: that run never reported success, and the previous
 * tree is the last one a run did; the run that recovers writes its own tree right after.
 */
function recover(paths: OutputPaths): string[] {
  const notes: string[] = [];
  const debris = debrisOf(paths);
  const previous = debris.find((d) => d.kind === 'old');
  if (previous && !statTarget(paths)) {
    osStep(paths, `restore the previous tree from '${paths.show(previous.path)}'`, `it is still there`, () => renameSync(previous.path, paths.target));
    notes.push(`output folder '${paths.shownFolder}' was missing because a netsec run was killed while it swapped in a new tree; restored the previous tree from '${paths.show(previous.path)}'`);
  }
  for (const d of debris) {
    if (d === previous && !existsSync(d.path)) continue;
    osStep(paths, `remove '${paths.show(d.path)}', left by a netsec run that was killed`, NOTHING_CHANGED_IN_IT, () => rmSync(d.path, { recursive: true, force: true }));
    notes.push(`removed '${paths.show(d.path)}', left by a netsec run that was killed while writing '${paths.shownFolder}'`);
  }
  return notes;
}

/** Writes the new tree into `staging`, yielding after each file (the async writer lets the event loop run there). */
function* stage(paths: OutputPaths, staging: string, files: readonly OutputFile[]): Generator<void> {
  osStep(paths, `create the new tree '${paths.show(staging)}'`, NOTHING_CHANGED, () => mkdirSync(staging));
  for (const file of files) {
    const dest = join(staging, file.path);
    if (relative(staging, dest).startsWith('..')) throw new Error(`refusing to write outside the output folder: ${file.path}`);
    const shown = join(paths.shownFolder, file.path);
    osStep(paths, `write '${shown}'`, NOTHING_CHANGED, () => {
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, file.content);
    });
    yield;
  }
  // Last, so a staging tree with the marker is known to be whole (recovery discards it either way; see `recover`).
  osStep(paths, `write '${join(paths.shownFolder, OUTPUT_MARKER)}'`, NOTHING_CHANGED, () => writeFileSync(join(staging, OUTPUT_MARKER), MARKER_TEXT));
}

/** Swaps `staging` in with two renames, back to back; on failure the previous tree is put back. */
function swapIn(paths: OutputPaths, staging: string, lock: HeldLock): string[] {
  const lost = lock.lost();
  if (lost) {
    throw new NetsecError(
      'ENVIRONMENT',
      `output folder '${paths.shownFolder}': another run took over the lock '${paths.shownLock}' while this run was writing (${lost.message}); ${NOTHING_CHANGED}; run again`,
    );
  }
  const previous = besideName(paths, 'old');
  const hadTarget = statTarget(paths) !== undefined;
  if (hadTarget) osStep(paths, 'move the previous tree aside', NOTHING_CHANGED, () => renameSync(paths.target, previous));
  try {
    testPauseSync('swapping');
    renameSync(staging, paths.target);
  } catch (err) {
    if (hadTarget) {
      try {
        renameSync(previous, paths.target);
      } catch {
        // Left as .<name>.netsec-old-*: the next run restores it before anything else.
      }
    }
    throw isSystemError(err) ? environmentError(paths, 'swap in the new tree', err, 'the previous tree was kept') : err;
  }
  if (!hadTarget) return [];
  try {
    rmSync(previous, { recursive: true, force: true });
  } catch (err) {
    if (!isSystemError(err)) throw err;
    return [`wrote '${paths.shownFolder}', but could not remove the previous tree '${paths.show(previous)}' (${systemErrorText(err)}); the next run removes it`];
  }
  return [];
}

/** Removes a staging tree after a failure; if even that fails, the next run removes it (it is debris by name). */
function discard(staging: string): void {
  try {
    rmSync(staging, { recursive: true, force: true });
  } catch {
    // See above.
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Test-only fault injection, read in this one place. `__NETSEC_TEST_PAUSE=<point>:<folder>` makes a write stop at
// <point>, create <folder>/<point>.reached (holding its pid) and wait until <folder>/<point>.go exists, so a test can
// kill the process there (test/cli/synth-*.test.ts). Points: `locked` (lock held, debris repaired), `staged` (the
// new tree is written beside the folder), `swapping` (between the two renames; waits synchronously, as the swap does),
// and `waiting` (another run holds the lock; only marks `.reached`, the wait goes on). Not NETSEC_*: those are flags of
// `netsec` (docs/cli.md), and a test-only name must never become one.

function testPausePath(point: 'locked' | 'staged' | 'swapping' | 'waiting'): string | undefined {
  const spec = process.env.__NETSEC_TEST_PAUSE;
  if (!spec?.startsWith(`${point}:`)) return undefined;
  const dir = spec.slice(point.length + 1);
  writeFileSync(join(dir, `${point}.reached`), `${process.pid}\n`);
  return join(dir, `${point}.go`);
}

async function testPause(point: 'locked' | 'staged', signal: AbortSignal | undefined): Promise<void> {
  const go = testPausePath(point);
  while (go && !existsSync(go)) await pause(20, signal);
}

function testPauseSync(point: 'swapping'): void {
  const go = testPausePath(point);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (go && !existsSync(go)) Atomics.wait(sleeper, 0, 0, 20);
}
