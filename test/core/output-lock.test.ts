import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { LOCK_STALE_MS, LockPlace, OutputLockedError, lockOutput } from '../../src/core/output-lock.js';

let root: string;
afterEach(() => {
  vi.useRealTimers();
  rmSync(root, { recursive: true, force: true });
});

function place(): LockPlace {
  root = mkdtempSync(join(tmpdir(), 'netsec-lock-'));
  const target = join(root, 'dist');
  return { target, lockPath: `${target}.netsec-lock`, shownFolder: 'dist', shownLock: 'dist.netsec-lock' };
}

test('a live holder keeps its lock fresh past the stale time (its holder file does not make proper-lockfile give the lock up)', () => {
  const p = place();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const held = lockOutput(p);
  for (let i = 0; i < 3; i++) vi.advanceTimersByTime(LOCK_STALE_MS);
  expect(held.lost()).toBeUndefined();
  expect(() => lockOutput(p)).toThrow(OutputLockedError);
  held.release();
  lockOutput(p).release();
});

test('a holder that stops refreshing (killed, or its event loop blocked) loses the lock to the next run once stale', async () => {
  const p = place();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const held = lockOutput(p);
  // Time passes without the holder's timers running, as for a killed process.
  vi.setSystemTime(Date.now() + LOCK_STALE_MS + 1000);
  const next = lockOutput(p);
  expect(next.tookOverFrom).toEqual({ pid: process.pid, host: expect.any(String), since: expect.any(String) });
  vi.advanceTimersByTime(LOCK_STALE_MS);
  // The holder's refresh runs on the fake timer but checks the lock with real file-system calls: let those finish
  // (setImmediate is not faked) rather than read lost() at once, which raced with them on a loaded machine.
  for (let i = 0; i < 1000 && !held.lost(); i++) await new Promise((r) => setImmediate(r));
  expect(held.lost()?.message).toBe('Unable to update lock within the stale threshold');
  next.release();
  held.release();
});
