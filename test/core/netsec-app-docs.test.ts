import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../src/config/build.js';
import { parseConfig } from '../../src/config/load.js';
import { formatFinding, synthesize } from '../../src/index.js';

const root = join(__dirname, '../..');
const docs = join(root, 'docs');

/** docs/*.md and README.md, as `docs/<page>` and `README.md`. */
function pages(): string[] {
  return [
    ...readdirSync(docs)
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
    'README.md',
  ];
}

interface Block {
  readonly page: string;
  readonly index: number;
  readonly text: string;
}

/** Every block of `page` whose fence line is exactly "```<info>". */
function blocks(page: string, info: string): Block[] {
  const fence = new RegExp(`^\`\`\`${info}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...readFileSync(join(root, page), 'utf8').matchAll(fence)].map((m, index) => ({ page, index, text: m[1]! }));
}

/** Every ```yaml netsec block of every page in docs/: a complete netsec.yaml. */
function examples(): Block[] {
  return pages()
    .filter((p) => p.startsWith('docs/'))
    .flatMap((p) => blocks(p, 'yaml netsec'));
}

/**
 * Every ```ts block of docs/ and README.md: a complete program that imports from 'netsec'. Deliberate fragments use
 * another info string (```ts fragment) and are not run.
 */
function programs(): (Block & { readonly name: string })[] {
  return pages()
    .flatMap((p) => blocks(p, 'ts'))
    .map((b) => ({ ...b, name: `${b.page.replace(/^docs\//, '').replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-${b.index + 1}` }));
}

describe('the examples in docs/', () => {
  test('the section pages each have one', () => {
    const withExample = new Set(examples().map((e) => e.page));
    for (const page of ['cilium-policies.md', 'node-local-dns.md', 'hubble-flow-logs.md', 'egress-blocking.md', 'istio.md', 'targets.md']) {
      expect(withExample.has(`docs/${page}`), page).toBe(true);
    }
  });

  test.each(examples().map((e) => [`${e.page} #${e.index + 1}`, e] as const))('%s synthesizes without findings', async (_name, e) => {
    const result = synthesize(await buildApp(parseConfig(e.text, e.page)));
    expect(result.constructErrors).toEqual([]);
    expect(result.findings.map(formatFinding)).toEqual([]);
    expect(result.files.length).toBeGreaterThan(0);
  });
});

/**
 * The ```ts programs: type-checked together by one tsc run against src/ ('netsec' mapped to src/index.ts), then
 * bundled by esbuild and run by node, each in a folder of its own (CDK8S_OUTDIR points into it, and the bundled
 * netsec.yaml is there for programs that load one), so nothing is written into the repository.
 */
describe('the TypeScript programs in docs/ and README.md', () => {
  const all = programs();
  let dir = '';
  let tsc: { status: number | null; output: string } = { status: null, output: '' };

  beforeAll(async () => {
    mkdirSync(join(root, 'lib'), { recursive: true });
    // Inside the repository (lib/ is git-ignored), so that node finds the peers and packages in node_modules.
    dir = mkdtempSync(join(root, 'lib', 'docs-test-'));
    for (const p of all) writeFileSync(join(dir, `${p.name}.ts`), p.text);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          // NodeNext does not apply `paths` to a bare 'netsec'; Bundler does, and src/'s './x.js' imports resolve too.
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          esModuleInterop: true,
          resolveJsonModule: true,
          types: ['node'],
          paths: { netsec: ['../../src/index.ts'] },
        },
        include: ['*.ts'],
      }),
    );
    const checked = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--noEmit'], { encoding: 'utf8' });
    tsc = { status: checked.status, output: `${checked.stdout}${checked.stderr}` };
    // Bundled as the CLI is (the peers external: one copy, the repository's own, as a user's project has).
    const { NODE_ESM_BUNDLE } = (await import(join(root, 'scripts', 'bundle-cli.mjs'))) as { NODE_ESM_BUNDLE: BuildOptions };
    await build({
      ...NODE_ESM_BUNDLE,
      entryPoints: Object.fromEntries(all.map((p) => [p.name, join(dir, `${p.name}.ts`)])),
      outdir: join(dir, 'js'),
      alias: { netsec: join(root, 'src', 'index.ts') },
      logLevel: 'silent',
    });
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('there are some, and each imports from netsec', () => {
    const withProgram = new Set(all.map((p) => p.page));
    for (const page of ['docs/library.md', 'docs/cilium-policies.md', 'docs/explain.md', 'README.md']) expect(withProgram.has(page), page).toBe(true);
    for (const p of all) expect(p.text, p.name).toMatch(/from 'netsec';/);
  });

  test('they type-check against src/', () => {
    expect(tsc.output).toBe('');
    expect(tsc.status).toBe(0);
  });

  // Concurrently: each is a child process of its own, in a folder of its own.
  test.concurrent.for(all.map((p) => [p.name, p] as const))('%s runs', async ([, p], { expect }) => {
    const cwd = join(dir, `run-${p.name}`);
    mkdirSync(cwd);
    copyFileSync(join(root, 'netsec.yaml'), join(cwd, 'netsec.yaml'));
    const env = { ...process.env, CDK8S_OUTDIR: join(cwd, 'dist') };
    delete env.NETSEC_APP_OUTDIR;
    const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(dir, 'js', `${p.name}.js`)], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(run.code, run.output).toBe(0);
    const written = readdirSync(cwd, { recursive: true }).filter((f) => String(f) !== 'netsec.yaml');
    if (/\bapp\.synth\(\)/.test(p.text)) expect(written.some((f) => String(f).endsWith('kustomization.yaml')), p.name).toBe(true);
    else expect(run.output.length, `${p.name} prints what it found`).toBeGreaterThan(0);
  });
});
