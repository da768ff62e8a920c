import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { snapshot } from '../core/output-util.js';
import { run } from './run.js';
import { configText } from './synth-process.js';

let ws: string;
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('netsec synth --out', () => {
  test('a symbolic link (a GitOps checkout elsewhere) stays a link; the checkout gets the new tree', async () => {
    ws = mkdtempSync(join(tmpdir(), 'netsec-out-'));
    mkdirSync(join(ws, 'gitops'));
    mkdirSync(join(ws, 'repo'));
    writeFileSync(join(ws, 'repo', 'v1.yaml'), configText('lab', '198.51.100.0/24'));
    writeFileSync(join(ws, 'repo', 'v2.yaml'), configText('lab', '203.0.113.0/24'));
    expect((await run('synth', '-c', join(ws, 'repo', 'v2.yaml'), '--out', join(ws, 'expected'))).code).toBe(0);
    expect((await run('synth', '-c', join(ws, 'repo', 'v1.yaml'), '--out', join(ws, 'gitops', 'clusters'))).code).toBe(0);
    const link = join(ws, 'repo', 'dist');
    symlinkSync('../gitops/clusters', link);

    const { code, stdout } = await run('synth', '-c', join(ws, 'repo', 'v2.yaml'), '--out', link);
    expect(code).toBe(0);
    expect(stdout.startsWith(`${link}/lab/ (Kubernetes 1.30, Cilium 1.18): `)).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../gitops/clusters');
    expect(snapshot(join(ws, 'gitops', 'clusters'))).toEqual(snapshot(join(ws, 'expected')));
    expect(readdirSync(join(ws, 'gitops'))).toEqual(['clusters']);
    expect(readdirSync(join(ws, 'repo')).sort()).toEqual(['dist', 'v1.yaml', 'v2.yaml']);
  });

  test('--help names --lock-timeout', async () => {
    ws = mkdtempSync(join(tmpdir(), 'netsec-out-'));
    const { stdout } = await run('synth', '--help');
    expect(stdout).toContain('--lock-timeout  Seconds to wait while another netsec run writes the same --out');
  });
});
