import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { run } from '../cli/run.js';
import { tempDir } from '../util.js';

test('a flow log whose end is past is warned about in words that name no clock time: two runs write the same bytes, and plan sees no change', async () => {
  const dir = tempDir('netsec-hubble-end-');
  const config = join(dir, 'netsec.yaml');
  writeFileSync(config, `targets:
  - { name: t, kubernetes: "1.30", cilium: "1.18" }
hubbleFlowLogs:
  - flowLogs: [{ name: a, end: "2020-01-01T00:00:00Z" }]
`);
  const first = await run('synth', '-c', config, '--out', join(dir, 'one'));
  const second = await run('synth', '-c', config, '--out', join(dir, 'two'));
  expect(first.code).toBe(0);
  expect(second.stderr).toBe(first.stderr);
  const file = (out: string) => readFileSync(join(dir, out, 't', 'hubble-flow-logs.yaml'), 'utf8');
  expect(file('two')).toBe(file('one'));
  expect(file('one')).toContain("# WARNING: hubble/end-in-past: ConfigMap 'kube-system/cilium-flowlog-config' at data.flowlogs.yaml#flowLogs[0].end: ");
  expect(file('one')).toContain("2020-01-01T00:00:00Z is not in the future, so flow log 'a' is inactive and exports nothing.");
  expect((await run('plan', '-c', config, '--out', join(dir, 'one'), '--detailed-exitcode')).code).toBe(0);
});
