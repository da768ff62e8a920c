import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFeed } from '../../bench/cidr-feed.js';
import { aggregate, parseCidrs } from '../../src/cidr/index.js';
import { tempDir } from '../util.js';


const hasIprange = spawnSync('sh', ['-c', 'command -v iprange'], { stdio: 'ignore' }).status === 0;

describe('agreement with iprange (C)', () => {
  it.skipIf(!hasIprange)('aggregates a generated IPv4 feed to exactly what `iprange --optimize` prints', () => {
    const dir = tempDir('netsec-iprange-');
    const file = join(dir, 'feed.txt');
    const text = generateFeed({ lines: 50_000, seed: 12, v6Share: 0 });
    writeFileSync(file, text);
    const r = spawnSync('iprange', ['--optimize', file], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
    expect(r.status).toBe(0);
    // iprange prints single addresses without '/32'.
    const theirs = r.stdout.split('\n').filter((l) => l !== '').map((l) => (l.includes('/') ? l : `${l}/32`));
    const ours = aggregate(parseCidrs(text, { source: file }).prefixes).set.toStrings();
    expect(ours.length).toBeGreaterThan(1000);
    expect(ours).toEqual(theirs);
  });
});
