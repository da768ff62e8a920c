import { readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readOutput } from '../../src/index.js';
import { snapshot } from '../core/output-util.js';
import { run } from './run.js';
import { configText, startNetsec, waitForFile } from './synth-process.js';
import { tempDir } from '../util.js';


/**
 * A repository with three configs (`v1`, `v2`, `v3`: one target each, different block lists) and `dist/` synthesized
 * from v1; plus the trees v2 and v3 give, synthesized elsewhere, to compare with.
 */
async function repository(): Promise<{ ws: string; dist: string; v1: Record<string, string>; v2: Record<string, string>; v3: Record<string, string> }> {
  const ws = tempDir('netsec-crash-');
  const refs = tempDir('netsec-crash-refs-');
  writeFileSync(join(ws, 'v1.yaml'), configText('lab', '198.51.100.0/24'));
  writeFileSync(join(ws, 'v2.yaml'), configText('lab', '203.0.113.0/24'));
  writeFileSync(join(ws, 'v3.yaml'), configText('prod', '192.0.2.0/24'));
  const trees: Record<string, Record<string, string>> = {};
  for (const v of ['v1', 'v2', 'v3']) {
    const out = join(refs, v);
    expect((await run('synth', '-c', join(ws, `${v}.yaml`), '--out', out)).code).toBe(0);
    trees[v] = snapshot(out);
  }
  const dist = join(ws, 'dist');
  expect((await run('synth', '-c', join(ws, 'v1.yaml'), '--out', dist)).code).toBe(0);
  expect(snapshot(dist)).toEqual(trees.v1);
  return { ws, dist, v1: trees.v1, v2: trees.v2, v3: trees.v3 };
}

/** Kills a synth of v2 with SIGKILL between its two renames; returns the names it left and the lock's holder. */
async function killBetweenRenames(ws: string): Promise<{ pid: number; previous: string; staged: string; since: string }> {
  const control = tempDir('netsec-pause-');
  const synth = startNetsec(['synth', '-c', 'v2.yaml', '--out', 'dist'], { cwd: ws, pause: { point: 'swapping', dir: control } });
  await waitForFile(join(control, 'swapping.reached'), synth);
  synth.kill('SIGKILL');
  expect((await synth.exited).signal).toBe('SIGKILL');
  const names = readdirSync(ws).sort();
  const previous = names.find((n) => n.startsWith('.dist.netsec-old-'))!;
  const staged = names.find((n) => n.startsWith('.dist.netsec-new-'))!;
  expect(names).toEqual([staged, previous, 'dist.netsec-lock', 'v1.yaml', 'v2.yaml', 'v3.yaml'].sort());
  expect(previous).toMatch(new RegExp(`^\\.dist\\.netsec-old-${synth.pid}-[0-9a-f]{8}$`));
  const holder = JSON.parse(readFileSync(join(ws, 'dist.netsec-lock', 'holder.json'), 'utf8'));
  expect(holder.pid).toBe(synth.pid);
  return { pid: synth.pid, previous: join(ws, previous), staged: join(ws, staged), since: holder.since };
}

/** The lock of a killed run goes stale once it is LOCK_STALE_MS old; make it so now, instead of waiting. */
function ageLock(ws: string): void {
  const longAgo = new Date(Date.now() - 60_000);
  utimesSync(join(ws, 'dist.netsec-lock'), longAgo, longAgo);
}

describe('netsec synth killed mid-write (fault injection: a real process, SIGKILL between its two renames)', () => {
  test('the kill leaves no dist/; the next run restores the previous tree first, then writes its own, and leaves no debris', async () => {
    const { ws, dist, v1, v2, v3 } = await repository();
    const { pid, previous, staged, since } = await killBetweenRenames(ws);
    // What the kill left: the previous tree moved aside, the new one whole beside it, the lock still held.
    expect(snapshot(previous)).toEqual(v1);
    expect(snapshot(staged)).toEqual(v2);
    expect(() => readOutput(dist)).toThrow(
      `output folder '${dist}' is missing, but '${previous}' holds its previous tree (a netsec run was killed while it swapped in a new one); run netsec synth to restore it, or delete '${previous}'`,
    );

    ageLock(ws);
    const next = await run('synth', '-c', join(ws, 'v3.yaml'), '--out', dist);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain(`warning: took over the lock '${dist}.netsec-lock' of a netsec run that stopped without releasing it (pid ${pid} on host ${hostname()} since ${since})\n`);
    expect(next.stderr).toContain(`warning: output folder '${dist}' was missing because a netsec run was killed while it swapped in a new tree; restored the previous tree from '${previous}'\n`);
    expect(next.stderr).toContain(`warning: removed '${staged}', left by a netsec run that was killed while writing '${dist}'\n`);
    expect(snapshot(dist)).toEqual(v3);
    expect(readdirSync(ws).sort()).toEqual(['dist', 'v1.yaml', 'v2.yaml', 'v3.yaml']);
  });

  test('the next run restores the previous tree even when it then fails on its own config', async () => {
    const { ws, dist, v1 } = await repository();
    await killBetweenRenames(ws);
    ageLock(ws);
    writeFileSync(join(ws, 'bad.yaml'), 'targets: 3\n');
    const next = await run('synth', '-c', join(ws, 'bad.yaml'), '--out', dist);
    expect(next.code).toBe(2);
    expect(snapshot(dist)).toEqual(v1);
    expect(readdirSync(ws).sort()).toEqual(['bad.yaml', 'dist', 'v1.yaml', 'v2.yaml', 'v3.yaml']);
  });

  test('while the killed run\'s lock is still fresh, a run that will not wait fails with exit 2, naming the killed run', async () => {
    const { ws, dist } = await repository();
    const { pid, since } = await killBetweenRenames(ws);
    const next = await run('synth', '-c', join(ws, 'v3.yaml'), '--out', dist, '--lock-timeout', '0');
    expect(next.code).toBe(2);
    expect(next.stderr).toContain(
      `netsec: output folder '${dist}' is locked by another netsec run (pid ${pid} on host ${hostname()} since ${since}; lock '${dist}.netsec-lock'); ` +
        `gave up after 0 s; wait until that run ends, or delete '${dist}.netsec-lock' if no netsec run is active; raise --lock-timeout to wait longer\n`,
    );
  });
});

describe('netsec synth stopped by a signal mid-write', () => {
  test.each([
    ['SIGTERM', 'staged', 143],
    ['SIGINT', 'locked', 130],
  ] as const)('%s while the run holds the lock (%s): the previous tree stays, no staging tree, no lock, exit %i', async (signal, point, exitCode) => {
    const { ws, v1 } = await repository();
    const control = tempDir('netsec-pause-');
    const synth = startNetsec(['synth', '-c', 'v2.yaml', '--out', 'dist'], { cwd: ws, pause: { point, dir: control } });
    await waitForFile(join(control, `${point}.reached`), synth);
    synth.kill(signal);
    const exit = await synth.exited;
    expect(exit.code).toBe(exitCode);
    expect(exit.stderr).toContain(`netsec synth: stopped by ${signal}; nothing was written, dist/ is unchanged.\n`);
    expect(snapshot(join(ws, 'dist'))).toEqual(v1);
    expect(readdirSync(ws).sort()).toEqual(['dist', 'v1.yaml', 'v2.yaml', 'v3.yaml']);
  });
});
