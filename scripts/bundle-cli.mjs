#!/usr/bin/env node
// Bundles the netsec CLI into lib/cli/, which bin/netsec runs: src/cli/main.ts (the two command lines it answers
// without yargs) as main.js and a few chunks, and src/cli/yargs-cli.ts (every other command line) as one file,
// chunks/yargs-cli.cjs. `npm run build` calls this after tsc (tsc type-checks and writes the library).
//
// Why: the CLI's start-up is paid on every command, and most of it was module loading, not work. Node resolves,
// reads and links every ES module file on its own: ~150 of netsec's plus yargs' ~40 took ~200 ms of a ~1 s
// `netsec synth` of the bundled example on the 2-core CI machine; bundled, they load as a few files (`npm run bench`).
//
// Not bundled: cdk8s, constructs and cdk8s-plus-28, the peer dependencies (one copy, the user's); and the packages
// netsec loads on demand with `createRequire` (kubernetes-models, proper-lockfile, cli-progress) and its generated
// validators, which stay where they are and are found at run time as before. Packages few commands use are bundled
// into files of their own (APART below).
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The peer dependencies: never bundled (a second copy of constructs breaks `instanceof` and construct trees). */
const PEERS = ['cdk8s', 'constructs', 'cdk8s-plus-28'];

/**
 * The peers are loaded with `require`, not `import`: they are CommonJS, and Node imports a CommonJS module into an ES
 * module by first scanning its source for export names with cjs-module-lexer, following every re-export; for cdk8s
 * (~40 files, each `__exportStar`-ed) that cost ~35 ms of every command beyond `require`'s own ~60 ms. The object is
 * the same either way (Node's CommonJS cache), so a user's `import { App } from 'cdk8s'` meets the same classes.
 * cdk8s' stand-in is scripts/cdk8s-stand-in.cjs: it first hands cdk8s the bundle's `yaml` when cdk8s would load that
 * very version of its own copy.
 */
function peersByRequire() {
  const filter = new RegExp(`^(${PEERS.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
  return {
    name: 'peers-by-require',
    setup(b) {
      // The stand-in's own `require` of the peer is the external one (esbuild's `__require`, the banner's `require`).
      b.onResolve({ filter }, (args) => (args.namespace === 'peer' ? { path: args.path, external: true } : { path: args.path, namespace: 'peer' }));
      b.onLoad({ filter: /.*/, namespace: 'peer' }, (args) =>
        args.path === 'cdk8s'
          ? { contents: readFileSync(join(root, 'scripts', 'cdk8s-stand-in.cjs'), 'utf8'), loader: 'js', resolveDir: root }
          : { contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' },
      );
    },
  };
}

/**
 * esbuild options for netsec code bundled as ES modules for Node (the CLI here; the docs test bundles the docs'
 * programs with them too): lazy imports become chunks, the peers stay external and are `require`d.
 */
export const NODE_ESM_BUNDLE = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  external: PEERS,
  plugins: [peersByRequire()],
  define: { BUNDLED_YAML_VERSION: JSON.stringify(JSON.parse(readFileSync(join(root, 'node_modules', 'yaml', 'package.json'), 'utf8')).version) },
  // Bundled CommonJS packages (yaml) and the peers' stand-ins call `require`; an ES module has none of its own.
  banner: { js: "import { createRequire as __netsecCreateRequire } from 'node:module'; const require = __netsecCreateRequire(import.meta.url);" },
};

/**
 * Bundled packages that most commands never use, each bundled into a CommonJS file of its own beside the chunks and
 * loaded the first time it is used. Inside a chunk every run loads, V8 parsed (and ran the top-level code of) each on
 * every run (each measured with --cpu-prof and paired runs):
 *   - CEL (@bufbuild/cel and its protobuf runtime, ~800 KB), for the CRDs' x-kubernetes-validations rules: ~25 ms of a
 *     synth that validates no kind with such rules. src/core/validation/cel.ts `require`s it when it first needs it.
 *   - re2js (273 KB), for the RE2 patterns of Cilium L7 rules and `explain`: ~10 ms of every synth, most of which has
 *     no such pattern.
 *   - string-width, which yargs, cliui and wrap-ansi each have a copy of, for help and usage text only: each copy
 *     builds an `Intl.Segmenter` and Unicode-property regular expressions when it loads (~48 ms of every command).
 * A module with `exports` is imported by name (`import { RE2JS } from 're2js'`): its importers get a stand-in whose
 * exports are proxies that load the file on first call, construction or property read (`RE2JS.compile`), so the
 * sources stay plain imports. Without `exports`, the importer `require`s it at the moment it needs it.
 */
const APART = [
  { name: 'cel', specifier: /^@bufbuild\/cel(\/ext)?$/, entry: "export * from '@bufbuild/cel'; export * from '@bufbuild/cel/ext';" },
  { name: 're2js', specifier: /^re2js$/, importer: /[\\/]src[\\/]/, exports: ['RE2JS'] },
  { name: 'string-width', specifier: /^string-width$/, importer: /[\\/]node_modules[\\/](?:yargs|cliui|wrap-ansi)[\\/]/, exports: ['default'] },
];

/** The esbuild plugin that puts the APART modules apart; `files` collects what each file must be built from. */
function apartPlugin(files) {
  return {
    name: 'apart',
    setup(b) {
      for (const a of APART) {
        b.onResolve({ filter: a.specifier }, async (args) => {
          if (args.pluginData?.apartReal || (a.importer && !a.importer.test(args.importer))) return undefined;
          if (!a.exports) {
            // Both entry points of CEL in one file: its strings extension works on the core's own classes.
            files.set(`${a.name}.cjs`, { stdin: { contents: a.entry, resolveDir: root, sourcefile: `${a.name}-entry.js` } });
            return { path: `./${a.name}.cjs`, external: true };
          }
          const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { apartReal: true } });
          if (real.errors.length) return { errors: real.errors };
          // One file per package version (cliui and wrap-ansi share string-width 7.2.0).
          const { version } = JSON.parse(readFileSync(join(packageDirOf(real.path), 'package.json'), 'utf8'));
          const file = `${a.name}@${version}.cjs`;
          files.set(file, { entryPoints: [real.path] });
          return { path: file, namespace: 'apart', pluginData: { file, exports: a.exports } };
        });
      }
      b.onResolve({ filter: /\.cjs$/, namespace: 'apart' }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: 'apart' }, (args) => {
        const lines = [
          'let real;',
          `const load = () => (real ??= require(${JSON.stringify(`./${args.pluginData.file}`)}));`,
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
        return { contents: lines.join('\n'), loader: 'js' };
      });
    },
  };
}

/** The folder of the package a resolved file belongs to (the last `node_modules/<name>` or `node_modules/@scope/<name>`). */
function packageDirOf(file) {
  const parts = file.split(sep);
  const i = parts.lastIndexOf('node_modules');
  return parts.slice(0, i + (parts[i + 1].startsWith('@') ? 3 : 2)).join(sep);
}

/** Writes the CLI bundle into `outdir` (default lib/cli): `main.js` exports `main(argv)`, plus its chunks. */
export async function bundleCli(outdir = join(root, 'lib', 'cli')) {
  // Chunk names carry a content hash: without a clean folder every build would leave the previous chunks behind (and
  // the package would ship them).
  rmSync(outdir, { recursive: true, force: true });
  const apart = new Map();
  const common = {
    // No source maps: they would triple the package, and each chunk names the source file of every part
    // (`// src/cli/main.ts`), so a stack trace of `--verbose` still leads to the code.
    sourcemap: false,
    legalComments: 'linked',
    logLevel: 'warning',
  };
  // main.js: `--version` and plain `cidrs aggregate FILE...` (answered without yargs), as ES modules split into
  // chunks, so each loads only its own code.
  await build({
    entryPoints: { main: join(root, 'src', 'cli', 'main.ts') },
    outdir,
    ...NODE_ESM_BUNDLE,
    plugins: [...NODE_ESM_BUNDLE.plugins, yargsCliApart(), apartPlugin(apart)],
    chunkNames: 'chunks/[name]-[hash]',
    ...common,
  });
  // Every other command line: yargs-cli.ts and everything it imports, as one CommonJS file. As chunks, a `netsec synth`
  // of the bundled example loaded ~50 ES modules, and Node's per-module cost (resolve, read, decode, link, each
  // asynchronous) was more than parsing one file with all the commands (paired runs on the 2-core CI machine: 0.93x).
  await build({
    entryPoints: [join(root, 'src', 'cli', 'yargs-cli.ts')],
    outfile: join(outdir, 'chunks', YARGS_CLI_FILE),
    ...NODE_ESM_BUNDLE,
    format: 'cjs',
    splitting: false,
    plugins: [...NODE_ESM_BUNDLE.plugins, apartPlugin(apart)],
    // CommonJS has no import.meta: netsec finds its package root and `require`s from its own file's location.
    banner: { js: "var __netsecImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { ...NODE_ESM_BUNDLE.define, 'import.meta.url': '__netsecImportMetaUrl' },
    ...common,
  });
  // Beside the chunks: the stand-ins and cel.ts live in chunks (only main.js is not), and `require` is relative to them.
  for (const [file, input] of [...apart].sort(([a], [b]) => a.localeCompare(b))) {
    await build({ ...input, outfile: join(outdir, 'chunks', file), bundle: true, format: 'cjs', platform: 'node', target: 'node20', legalComments: 'linked', logLevel: 'warning' });
  }
  return outdir;
}

/** The file the yargs CLI is bundled into, in lib/cli/chunks/. */
const YARGS_CLI_FILE = 'yargs-cli.cjs';

/**
 * main.ts imports yargs-cli.ts when a command line needs yargs: in main.js that import is a stand-in that `require`s
 * the one-file bundle of it (a chunk, so `require` is relative to lib/cli/chunks/).
 */
function yargsCliApart() {
  return {
    name: 'yargs-cli-apart',
    setup(b) {
      b.onResolve({ filter: /^\.\/yargs-cli\.js$/ }, (args) => ({ path: args.path, namespace: 'yargs-cli' }));
      b.onResolve({ filter: /\.cjs$/, namespace: 'yargs-cli' }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: 'yargs-cli' }, () => ({
        contents: `export const runCli = (...args) => require(${JSON.stringify(`./${YARGS_CLI_FILE}`)}).runCli(...args);`,
        loader: 'js',
      }));
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`bundle-cli: wrote ${await bundleCli(process.argv[2] ? resolve(process.argv[2]) : undefined)}`);
}
