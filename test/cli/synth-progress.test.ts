import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { PROGRESS_MIN_BYTES } from '../../src/cli/progress.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A netsec.yaml blocking one large feed (PROGRESS_MIN_BYTES of the same /24) on one Cilium target. */
function bigFeedConfig(): { config: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netsec-progress-'));
  dirs.push(dir);
  const line = '198.51.100.0/24\n';
  writeFileSync(join(dir, 'feed.txt'), line.repeat(Math.ceil(PROGRESS_MIN_BYTES / line.length) + 1));
  writeFileSync(
    join(dir, 'netsec.yaml'),
    // The cluster's own ranges are named, so the run has nothing to warn about.
    'targets:\n  - { name: c, kubernetes: "1.30", cilium: "1.18", cluster: { podCidrs: [10.244.0.0/16], serviceCidrs: [10.0.0.0/16] } }\n' +
      'egressBlocking:\n  - name: geo\n    feeds: [{ file: feed.txt }]\n',
  );
  return { config: join(dir, 'netsec.yaml'), out: join(dir, 'dist') };
}

async function synth(stderrIsTTY: boolean): Promise<{ code: number; stderr: string; out: string }> {
  const { config, out } = bigFeedConfig();
  let stderr = '';
  const io: CliIo = { stdout: () => undefined, stderr: (t) => (stderr += t), stderrIsTTY };
  const code = await main(['synth', '-c', config, '--out', out], io);
  return { code, stderr, out };
}

describe('netsec synth progress', () => {
  test('reading a large feed draws a progress bar on a terminal, and the output is the same', async () => {
    const tty = await synth(true);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('reading feed.txt [');
    expect(readFileSync(join(tty.out, 'c', 'egress-blocking.yaml'), 'utf8')).toContain('- 198.51.100.0/24\n');
  });

  test('nothing is drawn when stderr is not a terminal (CI logs)', async () => {
    const pipe = await synth(false);
    expect(pipe.code).toBe(0);
    expect(pipe.stderr).toBe('');
  });
});
