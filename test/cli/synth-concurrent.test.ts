import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { snapshot } from '../core/output-util.js';
import { run } from './run.js';
import { configText, startNetsec, waitForFile } from './synth-process.js';
import { tempDir } from '../util.js';


/** Configs `a`, `b`, `c` with different targets and block lists, and the trees each gives on its own. */
async function repository(): Promise<{ ws: string; trees: Record<'a' | 'b' | 'c', Record<string, string>> }> {
  const ws = tempDir('netsec-concurrent-');
  const refs = tempDir('netsec-concurrent-refs-');
  const configs = { a: configText('alpha', '198.51.100.0/24'), b: configText('beta', '203.0.113.0/24'), c: configText('gamma', '192.0.2.0/24') };
  const trees = {} as Record<'a' | 'b' | 'c', Record<string, string>>;
  for (const [name, text] of Object.entries(configs) as ['a' | 'b' | 'c', string][]) {
    writeFileSync(join(ws, `${name}.yaml`), text);
    expect((await run('synth', '-c', join(ws, `${name}.yaml`), '--out', join(refs, name))).code).toBe(0);
    trees[name] = snapshot(join(refs, name));
  }
  return { ws, trees };
}

describe('two netsec synth runs on one --out', () => {
  test('started together, both succeed (one waits for the other) and dist/ is the whole tree of one of them', async () => {
    const { ws, trees } = await repository();
    const a = startNetsec(['synth', '-c', 'a.yaml', '--out', 'dist'], { cwd: ws });
    const b = startNetsec(['synth', '-c', 'b.yaml', '--out', 'dist'], { cwd: ws });
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code]).toEqual([0, 0]);
    expect([trees.a, trees.b]).toContainEqual(snapshot(join(ws, 'dist')));
    expect(readdirSync(ws).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml', 'dist']);
  });

  test('while one run holds the lock, a run with --lock-timeout 0 fails with exit 2 naming the holder; a waiting run writes after it', async () => {
    const { ws, trees } = await repository();
    const holdAt = tempDir('netsec-pause-');
    const holder = startNetsec(['synth', '-c', 'a.yaml', '--out', 'dist'], { cwd: ws, pause: { point: 'staged', dir: holdAt } });
    await waitForFile(join(holdAt, 'staged.reached'), holder);
    const { since } = JSON.parse(readFileSync(join(ws, 'dist.netsec-lock', 'holder.json'), 'utf8'));

    const impatient = startNetsec(['synth', '-c', 'b.yaml', '--out', 'dist', '--lock-timeout', '0'], { cwd: ws });
    const refused = await impatient.exited;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `netsec: output folder 'dist' is locked by another netsec run (pid ${holder.pid} on host ${hostname()} since ${since}; lock 'dist.netsec-lock'); ` +
        "gave up after 0 s; wait until that run ends, or delete 'dist.netsec-lock' if no netsec run is active; raise --lock-timeout to wait longer\n",
    );
    expect(readdirSync(ws).filter((n) => n.startsWith('.')).every((n) => n.startsWith(`.dist.netsec-new-${holder.pid}-`))).toBe(true);

    const waitAt = tempDir('netsec-pause-');
    const patient = startNetsec(['synth', '-c', 'c.yaml', '--out', 'dist', '--lock-timeout', '60'], { cwd: ws, pause: { point: 'waiting', dir: waitAt } });
    await waitForFile(join(waitAt, 'waiting.reached'), patient);
    writeFileSync(join(holdAt, 'staged.go'), '');
    expect((await holder.exited).code).toBe(0);
    const waited = await patient.exited;
    expect(waited.code).toBe(0);
    // It waited for a live holder, which kept its lock fresh: nothing to take over, nothing to repair.
    expect(waited.stderr).not.toContain('took over');
    expect(waited.stderr).not.toContain('removed');
    expect(snapshot(join(ws, 'dist'))).toEqual(trees.c);
    expect(readdirSync(ws).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml', 'dist']);
  });

  test('--lock-timeout must be a number of seconds, 0 or more', async () => {
    const { ws } = await repository();
    const { code, stderr } = await run('synth', '-c', join(ws, 'a.yaml'), '--out', join(ws, 'dist'), '--lock-timeout', '-1');
    expect(code).toBe(2);
    expect(stderr).toBe('netsec: --lock-timeout is -1; expected a number of seconds, 0 or more; for example --lock-timeout 30\n');
    expect(readdirSync(ws).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
  });
});
