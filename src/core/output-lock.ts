import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NetsecError } from './errors.js';

/**
 * How old (ms) a lock may get before another run takes it over: a run that was killed cannot release its lock, and
 * proper-lockfile judges it by the lock's mtime, which a live holder refreshes every `LOCK_STALE_MS / 2`.
 */
export const LOCK_STALE_MS = 10_000;

/** The file inside the lock folder that says who holds it, for the message another run prints. */
const HOLDER_FILE = 'holder.json';

/** Who holds an output folder's lock, as the holder recorded it. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock (ISO 8601, UTC). */
  readonly since: string;
}

/** `pid 4242 on host ci-7 since 2025-01-01T00:00:00.000Z`, or `holder unknown`. */
export function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `pid ${holder.pid} on host ${holder.host} since ${holder.since}` : 'holder unknown';
}

/** Another run holds the lock on the output folder (exit 2). Thrown by `writeOutput` and `writeOutputAsync`. */
export class OutputLockedError extends NetsecError {
  public constructor(
    public readonly folder: string,
    /** The lock, as messages print it. */
    public readonly lockPath: string,
    /** Who holds it, when the holder could record it. */
    public readonly holder: LockHolder | undefined,
    /** How long this run waited before giving up. */
    public readonly waitedMs: number,
  ) {
    super(
      'ENVIRONMENT',
      `output folder '${folder}' is locked by another netsec run (${describeHolder(holder)}; lock '${lockPath}'); ` +
        `gave up after ${formatSeconds(waitedMs)}; wait until that run ends, or delete '${lockPath}' if no netsec run is active`,
    );
    this.name = 'OutputLockedError';
  }
}

/** `0 s`, `2.5 s`, `10 s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** A lock this run holds on an output folder. */
export interface HeldLock {
  /** Removes the lock. Never throws: a lock left behind is taken over once it is stale. */
  release(): void;
  /** Set when another run took the lock over (this run stalled longer than `LOCK_STALE_MS`). */
  readonly lost: () => Error | undefined;
  /** The holder of a stale lock this run took over (a run that was killed), if there was one. */
  readonly tookOverFrom?: LockHolder | 'unknown';
}

/**
 * proper-lockfile locks with `mkdir`, which is atomic on every file system (NFS included) and removes the lock with
 * `rmdir`. The holder file inside makes the folder non-empty, so removal (release, stale take-over, exit handler)
 * goes through `rm -r` of exactly the lock path it is given.
 */
const LOCK_FS = {
  ...fs,
  rmdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void) => fs.rm(path, { recursive: true, force: false }, callback),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: false }),
};

/**
 * Loaded on first use: proper-lockfile installs exit and signal hooks (signal-exit) to remove held locks, which commands
 * that never write (`cidrs`, `plan`, `--help`) should not get.
 */
function properLockfile(): typeof import('proper-lockfile') {
  return createRequire(import.meta.url)('proper-lockfile') as typeof import('proper-lockfile');
}

/** Reads who holds `lockPath`, or undefined (no lock, or the holder was killed before it wrote the file). */
export function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(join(lockPath, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.since === 'string') return { pid: h.pid, host: h.host, since: h.since };
  } catch {
    // No file or a torn write: the holder is unknown; the lock itself still counts.
  }
  return undefined;
}

/** Where the lock of `target` lives and how messages print it. */
export interface LockPlace {
  /** The folder being replaced (absolute, symlinks resolved): proper-lockfile's key. */
  readonly target: string;
  /** The lock folder, beside the target (not inside: the target is replaced as a whole). */
  readonly lockPath: string;
  /** The output folder as messages print it. */
  readonly shownFolder: string;
  /** The lock as messages print it. */
  readonly shownLock: string;
}

/**
 * Takes the lock once, without waiting. Returns undefined when another live run holds it. A stale lock (older than
 * `LOCK_STALE_MS`: its holder was killed) is taken over. OS errors are thrown as they are, for the caller to word.
 */
function tryLock(place: LockPlace): HeldLock | undefined {
  let staleHolder: LockHolder | 'unknown' | undefined;
  try {
    if (fs.statSync(place.lockPath).mtimeMs < Date.now() - LOCK_STALE_MS) staleHolder = readHolder(place.lockPath) ?? 'unknown';
  } catch {
    // No lock yet (or it just went away): nothing to take over.
  }
  let lost: Error | undefined;
  let release: () => void;
  try {
    release = properLockfile().lockSync(place.target, {
      lockfilePath: place.lockPath,
      realpath: false,
      stale: LOCK_STALE_MS,
      fs: LOCK_FS,
      // The default throws from a timer (a crash, exit 3); the writer checks `lost` before it swaps instead.
      onCompromised: (err) => {
        lost = err;
      },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw err;
  }
  const held: HeldLock = {
    release: () => {
      try {
        release();
      } catch {
        // Already released, or taken over after this run stalled: either way it is no longer ours to remove.
      }
    },
    lost: () => lost,
    tookOverFrom: staleHolder,
  };
  try {
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    // A new file changes the folder's mtime, which proper-lockfile owns: it refreshes the mtime and gives the lock up
    // as compromised when the mtime is not the one it set. Put it back.
    const { atime, mtime } = fs.statSync(place.lockPath);
    fs.writeFileSync(join(place.lockPath, HOLDER_FILE), JSON.stringify(holder) + '\n');
    fs.utimesSync(place.lockPath, atime, mtime);
  } catch (err) {
    held.release();
    throw err;
  }
  return held;
}

/** Takes the lock on an output folder, or throws `OutputLockedError` at once if another run holds it. */
export function lockOutput(place: LockPlace): HeldLock {
  const held = tryLock(place);
  if (!held) throw new OutputLockedError(place.shownFolder, place.shownLock, readHolder(place.lockPath), 0);
  return held;
}

/** How often a waiting run tries the lock again. */
const RETRY_MS = 200;

/**
 * Takes the lock on an output folder, waiting up to `waitMs` while another run holds it, then throws
 * `OutputLockedError`. An abort stops the wait at once and rejects with `signal.reason`. `onWait` is called once,
 * when the run starts to wait.
 */
export async function lockOutputWaiting(place: LockPlace, waitMs: number, signal?: AbortSignal, onWait?: () => void): Promise<HeldLock> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const held = tryLock(place);
    if (held) return held;
    const left = deadline - Date.now();
    if (left <= 0) throw new OutputLockedError(place.shownFolder, place.shownLock, readHolder(place.lockPath), waitMs);
    if (attempt === 0) onWait?.();
    await pause(Math.min(RETRY_MS, left), signal);
  }
}

/** Waits `ms`; an abort ends the wait at once and rejects with `signal.reason` (as `signal.throwIfAborted()` does). */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}
