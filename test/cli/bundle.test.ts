import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readOutput } from '../../src/index.js';
import { tempDir } from '../util.js';
import { run } from './run.js';

/**
 * bin/netsec runs the CLI as scripts/bundle-cli.mjs bundles it (lib/cli/), not the tsc output the other CLI tests
 * import. The bundle is made here from the same sources, inside the repository (netsec finds its schemas from its
 * own location), and run as a user runs it: it must write the committed dist/ byte for byte and answer like `main`.
 */
const root = join(__dirname, '..', '..');
let bundleDir = '';

beforeAll(async () => {
  // A copy of bin/netsec beside a fresh bundle in lib/cli/, inside lib/ (git-ignored build output): netsec finds its
  // package root above it, as it does from the real lib/cli/.
  mkdirSync(join(root, 'lib'), { recursive: true });
  bundleDir = mkdtempSync(join(root, 'lib', 'bundle-test-'));
  mkdirSync(join(bundleDir, 'bin'));
  copyFileSync(join(root, 'bin', 'netsec'), join(bundleDir, 'bin', 'netsec'));
  const { bundleCli } = (await import(join(root, 'scripts', 'bundle-cli.mjs'))) as { bundleCli: (outdir: string) => Promise<string> };
  await bundleCli(join(bundleDir, 'lib', 'cli'));
}, 60_000);

afterAll(() => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [join(bundleDir, 'bin', 'netsec'), ...argv], { cwd: root, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the bundled CLI (bin/netsec)', () => {
  test('a second build into the same folder leaves exactly its own files (chunk names change with their content)', async () => {
    const { readdirSync } = await import('node:fs');
    const files = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
    const cli = join(bundleDir, 'lib', 'cli');
    const first = files(cli);
    writeFileSync(join(cli, 'chunks', 'chunk-STALE000.js'), '// a chunk of an earlier build\n');
    const { bundleCli } = (await import(join(root, 'scripts', 'bundle-cli.mjs'))) as { bundleCli: (outdir: string) => Promise<string> };
    await bundleCli(cli);
    expect(files(cli)).toEqual(first);
    expect(first.filter((f) => f.endsWith('.map'))).toEqual([]);
  }, 60_000);

  test('synth of the bundled example writes the committed dist/ byte for byte', async () => {
    const out = join(tempDir('netsec-bundle-'), 'dist');
    const r = await cli('synth', '-c', 'netsec.yaml', '--out', out);
    expect(r.code).toBe(0);
    expect(readOutput(out)).toEqual(readOutput(join(root, 'dist')));
  }, 60_000);

  test("synth of the example loads neither cdk8s' own copy of yaml (it gets the bundle's, the same version) nor the CEL evaluator", async () => {
    const theirs = join(root, 'node_modules', 'cdk8s', 'node_modules', 'yaml');
    // The premise: cdk8s' own copy is the version the bundle holds (package-lock.json pins both). When an update makes
    // them differ, cdk8s loads its own copy again (scripts/cdk8s-stand-in.cjs) and this test says so.
    expect(JSON.parse(readFileSync(join(theirs, 'package.json'), 'utf8')).version).toBe(JSON.parse(readFileSync(join(root, 'node_modules', 'yaml', 'package.json'), 'utf8')).version);
    const out = join(tempDir('netsec-bundle-'), 'dist');
    const traced = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('node', [join(bundleDir, 'bin', 'netsec'), 'synth', '-c', 'netsec.yaml', '--out', out], { cwd: root, env: { ...process.env, NODE_DEBUG: 'module' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(traced.code).toBe(0);
    // Node's module debug log names every file it loads: cdk8s itself, none of its yaml copy.
    expect(traced.stderr).toMatch(/load "[^"]*[\\/]node_modules[\\/]cdk8s[\\/]lib[\\/]yaml\.js"/);
    expect(traced.stderr.split('\n').filter((l) => l.includes(' load ') && l.includes(theirs))).toEqual([]);
    // Nor the CEL evaluator: every rule of the example's Istio objects holds, and the rules' fast paths say so.
    expect(traced.stderr).toMatch(/load "[^"]*[\\/]schemas[\\/]cel-fast-paths\.cjs"/);
    expect(traced.stderr).not.toMatch(/load "[^"]*[\\/]cel\.cjs"/);
    expect(readOutput(out)).toEqual(readOutput(join(root, 'dist')));
  }, 60_000);

  test('start-up paths and the error renderer work from the bundle (--version, cidrs aggregate, a usage error)', async () => {
    expect(await cli('--version')).toEqual({ code: 0, stdout: `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`, stderr: '' });
    const feed = join(tempDir('netsec-bundle-'), 'feed.txt');
    writeFileSync(feed, '10.0.0.0/9\n10.128.0.0/9\n192.0.2.1\n');
    expect(await cli('cidrs', 'aggregate', feed)).toEqual({ code: 0, stdout: '10.0.0.0/8\n192.0.2.1/32\n', stderr: '' });
    // A reader that closes the pipe early (`| head -1`) while netsec still writes 100,000 lines: the run ends with its own
    // exit code and nothing on stderr (it crashed on EPIPE).
    const bigFeed = join(tempDir('netsec-bundle-'), 'big.txt');
    writeFileSync(bigFeed, Array.from({ length: 100_000 }, (_, i) => `${10 + (i % 50) * 3}.${(i >> 8) & 255}.${i & 255}.1/32`).join('\n'));
    const early = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('node', [join(bundleDir, 'bin', 'netsec'), 'cidrs', 'aggregate', bigFeed], { cwd: root });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(early).toEqual({ code: 0, stderr: '' });
    const usage = await cli('synht');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("netsec: unknown command 'synht'; did you mean 'synth'?\nRun 'netsec --help' for usage.\n");
  }, 60_000);

  test('a module the bundle loads on first use (re2js) refuses as the unbundled CLI does', async () => {
    const manifest = join(tempDir('netsec-bundle-'), 'l7.yaml');
    writeFileSync(
      manifest,
      [
        'apiVersion: cilium.io/v2',
        'kind: CiliumNetworkPolicy',
        'metadata: { name: web, namespace: shop }',
        'spec:',
        '  endpointSelector: { matchLabels: { app: web } }',
        '  ingress:',
        "    - toPorts: [{ ports: [{ port: '80', protocol: TCP }], rules: { http: [{ path: '/(?!admin).*' }] } }]",
        '',
      ].join('\n'),
    );
    const bundled = await cli('validate', manifest, '--cilium', '1.17');
    expect(bundled.code).toBe(1);
    expect(bundled.stdout).toContain("'/(?!admin).*' is not an RE2 regular expression (error parsing regexp: invalid or unsupported Perl syntax: `(?!`)");
    expect(bundled).toEqual(await run('validate', manifest, '--cilium', '1.17'));
  }, 60_000);

  test('help lays out its columns as the unbundled CLI does (the bundle loads yargs\' string-width when help needs it)', async () => {
    for (const argv of [['--help'], ['synth', '--help']]) {
      const bundled = await cli(...argv);
      expect(bundled).toEqual(await run(...argv));
      // string-width measures the columns: the type is right-aligned after the description.
      expect(bundled.stdout).toMatch(/^ {2}-h, --help +Show help +\[boolean\]$/m);
    }
  }, 60_000);
});
