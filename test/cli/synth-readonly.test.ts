import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { snapshot } from '../core/output-util.js';
import { run } from './run.js';
import { chownTree, configText, startNetsec } from './synth-process.js';

/**
 * Real permissions, not simulated ones (test/core/output-faults.test.ts simulates them): root ignores file modes, so
 * as root the synth runs as `nobody` (65534) on a workspace that user owns. Skipped where neither works.
 */
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const canDropToNobody = asRoot && spawnSync(process.execPath, ['-e', ''], { uid: NOBODY, gid: NOBODY }).status === 0;
const user = asRoot ? { uid: NOBODY, gid: NOBODY } : {};

let ws: string;
afterEach(() => {
  chmodSync(ws, 0o755);
  chmodSync(join(ws, 'dist'), 0o755);
  rmSync(ws, { recursive: true, force: true });
});

/** A workspace with dist/ synthesized from v1, owned by the user the synth runs as; v2 would change it. */
async function workspace(): Promise<Record<string, string>> {
  ws = mkdtempSync(join(tmpdir(), 'netsec-readonly-'));
  writeFileSync(join(ws, 'v1.yaml'), configText('lab', '198.51.100.0/24'));
  writeFileSync(join(ws, 'v2.yaml'), configText('lab', '203.0.113.0/24'));
  expect((await run('synth', '-c', join(ws, 'v1.yaml'), '--out', join(ws, 'dist'))).code).toBe(0);
  chmodSync(ws, 0o755);
  if (asRoot) chownTree(ws, NOBODY, NOBODY);
  return snapshot(join(ws, 'dist'));
}

describe.skipIf(asRoot && !canDropToNobody)('netsec synth on a folder this user may not change (real file modes)', () => {
  test('a read-only dist/ is found before the swap: exit 2 with the path and the reason, previous tree byte for byte unchanged', async () => {
    const before = await workspace();
    chmodSync(join(ws, 'dist'), 0o555);
    const exit = await startNetsec(['synth', '-c', 'v2.yaml', '--out', 'dist'], { cwd: ws, ...user }).exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain(
      "netsec: output folder 'dist' is not writable (EACCES: permission denied); nothing was changed; netsec replaces the folder as a whole and must delete the previous files; give this user write access there, or pick another output folder\n",
    );
    expect(snapshot(join(ws, 'dist'))).toEqual(before);
    expect(readdirSync(ws).sort()).toEqual(['dist', 'v1.yaml', 'v2.yaml']);
  });

  test('a read-only parent is found before the lock is taken', async () => {
    const before = await workspace();
    chmodSync(ws, 0o555);
    const exit = await startNetsec(['synth', '-c', 'v2.yaml', '--out', 'dist'], { cwd: ws, ...user }).exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain(
      "netsec: output folder 'dist': its parent folder '.' is not writable (EACCES: permission denied); nothing was changed; netsec writes the new tree and its lock beside the folder; give this user write access there, or pick another output folder\n",
    );
    expect(snapshot(join(ws, 'dist'))).toEqual(before);
    expect(readdirSync(ws).sort()).toEqual(['dist', 'v1.yaml', 'v2.yaml']);
  });
});
