import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest globalSetup: every test run gets a temp folder of its own (TMPDIR, which os.tmpdir() reads and the forked
 * workers inherit), so that concurrent runs on one machine do not see each other's files, and at the end any
 * `netsec-*` entry a test left there fails the run: tests remove what they create (mkdtempSync + afterEach rm).
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const own = mkdtempSync(join(tmpdir(), 'netsec-vitest-'));
  // As /tmp is (sticky, everyone may write): tests that drop to another user (nobody) work in it too.
  chmodSync(own, 0o1777);
  process.env.TMPDIR = own;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = readdirSync(own).filter((name) => name.startsWith('netsec-')).sort();
    rmSync(own, { recursive: true, force: true });
    if (left.length) {
      throw new Error(`tests left ${left.length} temp entr${left.length === 1 ? 'y' : 'ies'} behind: ${left.join(', ')}; remove what a test creates in afterEach/afterAll (mkdtempSync + rmSync).`);
    }
  };
}
