// What the CLI bundle loads for `cdk8s` (scripts/bundle-cli.mjs, peersByRequire): the user's cdk8s, by `require`,
// after handing it the bundle's own copy of the `yaml` package when that copy is the very version cdk8s would load.
//
// Why: cdk8s ships a copy of `yaml` of its own (node_modules/cdk8s/node_modules/yaml) and `require`s it when it loads
// (lib/app.js -> lib/yaml.js), ~75 files that Node resolves, reads and compiles one by one: ~30 ms of every `netsec
// synth` on the 2-core CI machine, for a package the bundle already holds (netsec parses netsec.yaml with it). Same
// version, same code: `require.cache` takes the bundled module in its place (Node's documented cache: "adding or
// replacing entries is also possible"). Any other version, or a layout this does not recognise, loads as before.
const { readFileSync } = require('node:fs');
const { Module, createRequire } = require('node:module');

try {
  const fromCdk8s = createRequire(require.resolve('cdk8s'));
  const theirs = fromCdk8s.resolve('yaml');
  const version = JSON.parse(readFileSync(fromCdk8s.resolve('yaml/package.json'), 'utf8')).version;
  if (version === BUNDLED_YAML_VERSION && !require.cache[theirs]) {
    const module = new Module(theirs);
    module.filename = theirs;
    module.loaded = true;
    module.exports = require('yaml');
    require.cache[theirs] = module;
  }
} catch {
  // cdk8s then loads its own copy.
}

module.exports = require('cdk8s');
