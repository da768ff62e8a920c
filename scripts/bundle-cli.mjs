#!/usr/bin/env node
// Bundles the netsec CLI (src/cli/main.ts and everything it imports, lazily loaded commands as their own chunks) into
// lib/cli/, which bin/netsec runs. `npm run build` calls this after tsc (tsc type-checks and writes the library).
//
// Why: the CLI's start-up is paid on every command, and most of it was module loading, not work. Node resolves,
// reads and links every ES module file on its own: ~150 of netsec's plus yargs' ~40 took ~200 ms of a ~1 s
// `netsec synth` of the bundled example on the 2-core CI machine; bundled, they load as a few files (`npm run bench`).
//
// Not bundled: cdk8s, constructs and cdk8s-plus-28, the peer dependencies (one copy, the user's); and the packages
// netsec loads on demand with `createRequire` (CEL, kubernetes-models, proper-lockfile, cli-progress) and its generated
// validators, which stay where they are and are found at run time as before.
import { rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The peer dependencies: never bundled (a second copy of constructs breaks `instanceof` and construct trees). */
const PEERS = ['cdk8s', 'constructs', 'cdk8s-plus-28'];

/**
 * Bundled modules whose top-level code is slow and that a run rarely calls: each is evaluated when one of its exports
 * is first used instead of when the CLI starts (each measured with --cpu-prof):
 *   - string-width, which yargs, cliui and wrap-ansi each have a copy of, only for help and usage text: each copy builds
 *     an `Intl.Segmenter` and Unicode-property regular expressions when it loads: ~28 ms of every command for yargs'
 *     copy, ~20 ms for the other two;
 *   - re2js (273 KB), for the RE2 patterns of Cilium L7 rules and `explain`: ~14 ms of every synth, most of which
 *     writes no such rule.
 */
const DEFERRED = [
  { specifier: 'string-width', importer: /[\\/]node_modules[\\/](?:yargs|cliui|wrap-ansi)[\\/]/, exports: ['default'] },
  { specifier: 're2js', importer: /[\\/]src[\\/]/, exports: ['RE2JS'] },
];

/**
 * An esbuild plugin that puts a stand-in in front of each DEFERRED module. Each export is a proxy that `require`s the
 * real module the first time it is called, constructed or read from (`RE2JS.compile`), and forwards to the real
 * export; esbuild turns a `require` of a bundled ES module into an initialiser that runs the module's top-level code
 * then, not at start-up. A name the stand-in does not list fails the build (esbuild: "No matching export").
 */
const deferModules = {
  name: 'defer-modules',
  setup(b) {
    for (const d of DEFERRED) {
      b.onResolve({ filter: new RegExp(`^${d.specifier}$`) }, async (args) => {
        if (args.pluginData?.deferredReal || !d.importer.test(args.importer)) return undefined;
        const real = await b.resolve(d.specifier, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { deferredReal: true } });
        if (real.errors.length) return { errors: real.errors };
        // The path names the module in the bundle's comments: relative, so the bundle is the same from any checkout.
        return { path: relative(root, real.path).split(sep).join('/'), namespace: 'deferred', pluginData: { ...d, real: real.path } };
      });
    }
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => {
      const lines = [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.pluginData.real)}));`,
        'const deferred = (name) => new Proxy(function () {}, {',
        '  get: (_, key) => Reflect.get(load()[name], key),',
        '  has: (_, key) => Reflect.has(load()[name], key),',
        '  apply: (_, self, argv) => Reflect.apply(load()[name], self, argv),',
        '  construct: (_, argv) => Reflect.construct(load()[name], argv),',
        '});',
      ];
      for (const name of args.pluginData.exports) {
        lines.push(name === 'default' ? "export default deferred('default');" : `export const ${name} = deferred(${JSON.stringify(name)});`);
      }
      return { contents: lines.join('\n'), resolveDir: dirname(args.pluginData.real), loader: 'js' };
    });
  },
};

/**
 * esbuild options for netsec code bundled as ES modules for Node (the CLI here; the docs test bundles the docs'
 * programs with them too): lazy imports become chunks, the peers stay external.
 */
export const NODE_ESM_BUNDLE = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  external: PEERS,
  plugins: [deferModules],
  // Bundled CommonJS packages (yaml) call `require` for Node's built-ins; an ES module has none of its own.
  banner: { js: "import { createRequire as __netsecCreateRequire } from 'node:module'; const require = __netsecCreateRequire(import.meta.url);" },
};

/**
 * CEL (@bufbuild/cel and its protobuf runtime, ~800 KB) is bundled on its own, as one CommonJS file beside the chunks
 * that src/core/validation/cel.ts `require`s when a run first meets a kind with CEL rules. Inside a chunk that every
 * run loads, V8 parsed it on every run: ~25 ms of a synth that validates no such kind (paired runs, 0.94x).
 */
const CEL_FILE = 'cel.cjs';
const celApart = {
  name: 'cel-apart',
  setup(b) {
    b.onResolve({ filter: /^@bufbuild\/cel(\/ext)?$/ }, () => ({ path: `./${CEL_FILE}`, external: true }));
  },
};

/** Writes the CLI bundle into `outdir` (default lib/cli): `main.js` exports `main(argv)`, plus its chunks. */
export async function bundleCli(outdir = join(root, 'lib', 'cli')) {
  // Chunk names carry a content hash: without a clean folder every build would leave the previous chunks behind (and
  // the package would ship them).
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: join(root, 'src', 'cli', 'main.ts') },
    outdir,
    ...NODE_ESM_BUNDLE,
    plugins: [...NODE_ESM_BUNDLE.plugins, celApart],
    // No source maps: they would triple the package, and each chunk names the source file of every part
    // (`// src/cli/main.ts`), so a stack trace of `--verbose` still leads to the code.
    sourcemap: false,
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // Both entry points of CEL in one file: the strings extension works on the core's own classes.
  await build({
    stdin: { contents: "export * from '@bufbuild/cel'; export * from '@bufbuild/cel/ext';", resolveDir: root, sourcefile: 'cel-entry.js' },
    outfile: join(outdir, 'chunks', CEL_FILE),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`bundle-cli: wrote ${await bundleCli(process.argv[2] ? resolve(process.argv[2]) : undefined)}`);
}
