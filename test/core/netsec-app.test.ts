import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Testing } from 'cdk8s';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { NETSEC_APP_OUTDIR_ENV, NetsecApp, NetsecChart, NetsecError, NetsecTesting, NodeLocalDnsCache, Target, readOutput, synthesize, writeOutput } from '../../src/index.js';
import { run } from '../cli/run.js';
import { buildExampleApp } from '../../src/main.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netsec-app-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const lab = () => new Target({ name: 'lab', kubernetes: '1.30', cilium: '1.18' });

function cidrGroup(chart: NetsecChart, id: string, name: string, cidrs: unknown): ApiObject {
  return new ApiObject(chart, id, { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name }, spec: { externalCIDRs: cidrs } });
}

/** An app whose only problem is a schema finding (an integer where Cilium wants a CIDR string). */
function schemaBroken(app: App): void {
  cidrGroup(new NetsecChart(app, 'groups', { target: lab() }), 'g', 'g', [443]);
}

/** An app whose only problem is a lint error: two charts of one target write the same CiliumCIDRGroup. */
function lintBroken(app: App): void {
  const target = lab();
  cidrGroup(new NetsecChart(app, 'one', { target }), 'g', 'same', ['192.0.2.0/24']);
  cidrGroup(new NetsecChart(app, 'two', { target }), 'g', 'same', ['198.51.100.0/24']);
}

const SCHEMA_ERROR = "CiliumCIDRGroup 'g' at spec.externalCIDRs[0]: expected string (got 443)";
const LINT_ERROR_PREFIX = "CiliumCIDRGroup 'same' at metadata.name: has the same API group, kind, namespace and name as the object from ";

describe('NetsecApp.synth()', () => {
  test('writes exactly the tree netsec synth writes for the bundled example (the cdk8s synth path)', () => {
    const out = join(tempDir(), 'dist');
    const app = buildExampleApp();
    expect(app).toBeInstanceOf(NetsecApp);
    vi.stubEnv(NETSEC_APP_OUTDIR_ENV, out);
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    app.synth();
    // Warnings print as netsec synth prints them.
    expect(stderr).toHaveBeenCalledWith(
      "warning: [aks-cilium-cilium-policies/Cnp-default-productpage-deny-all] CiliumNetworkPolicy 'default/productpage-deny-all' puts its pods in egress default-deny with dns: none (DnsAccess.NONE); their DNS lookups time out (intended for a deny-all).\n",
    );
    expect(readOutput(out)).toEqual(new Map(synthesize(buildExampleApp()).files.map((f) => [f.path, f.content])));
  });

  test('a netsec.yaml extended in TypeScript prints its warnings at their netsec.yaml line, as netsec synth does', async () => {
    const out = join(tempDir(), 'dist');
    vi.stubEnv(NETSEC_APP_OUTDIR_ENV, out);
    const { buildApp } = await import('../../src/config/build.js');
    const { parseConfig } = await import('../../src/config/load.js');
    const app = await buildApp(parseConfig(['targets:', '  - { name: lab, kubernetes: "1.30", cilium: "1.17" }', 'ciliumPolicies:', '  - name: quiet', '    namespace: shop', '    egressDefault: deny', '    dns: none', ''].join('\n'), 'netsec.yaml'));
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    app.synth();
    expect(stderr).toHaveBeenCalledWith(
      "warning: netsec.yaml:4:5: CiliumNetworkPolicy 'shop/quiet' puts its pods in egress default-deny with dns: none (DnsAccess.NONE); their DNS lookups time out (intended for a deny-all).\n",
    );
  });

  test('writes to outdir (cdk8s synth sets CDK8S_OUTDIR, which App reads) when NETSEC_APP_OUTDIR is not set', () => {
    const out = join(tempDir(), 'out');
    vi.stubEnv(NETSEC_APP_OUTDIR_ENV, '');
    const app = new NetsecApp({ outdir: out });
    new NodeLocalDnsCache(new NetsecChart(app, 'dns', { target: lab(), component: 'node-local-dns' }), 'cache');
    app.synth();
    expect([...readOutput(out).keys()]).toEqual(['lab/cilium-values.yaml', 'lab/kustomization.yaml', 'lab/node-local-dns.yaml']);
  });

  test('a schema finding fails with the lines netsec synth prints, and nothing is written', () => {
    const out = join(tempDir(), 'dist');
    const app = new NetsecApp({ outdir: out });
    schemaBroken(app);
    let thrown: unknown;
    try {
      app.synth();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(NetsecError);
    expect((thrown as NetsecError).code).toBe('INVALID');
    expect((thrown as NetsecError).message).toBe(`error: ${SCHEMA_ERROR}\nnetsec synth: 1 problem; nothing was written, ${out}/ is unchanged.`);
    expect(existsSync(out)).toBe(false);
  });

  test('a lint error fails with its rule id', () => {
    const app = new NetsecApp({ outdir: join(tempDir(), 'dist') });
    lintBroken(app);
    expect(() => app.synth()).toThrow(/^error: CiliumCIDRGroup 'same' at metadata\.name: has the same API group, kind, namespace and name as the object from .*\[k8s\/duplicate-object\]\nnetsec synth: 1 problem; /);
  });
});

describe("cdk8s' own paths validate NetsecCharts", () => {
  test('app.synth() of a plain cdk8s App fails on a schema finding', () => {
    const app = new App({ outdir: tempDir() });
    schemaBroken(app);
    expect(() => app.synth()).toThrow(`Validation failed with the following errors:\n  [groups] ${SCHEMA_ERROR}`);
  });

  test('app.synth() and Testing.synth(chart) fail on a lint error, with the rule id, reported once', () => {
    const app = new App({ outdir: tempDir() });
    lintBroken(app);
    const chart = app.node.findChild('two') as NetsecChart;
    for (const run of [() => app.synth(), () => Testing.synth(chart)]) {
      expect(run).toThrow(/^Validation failed with the following errors:\n {2}\[one\] CiliumCIDRGroup 'same' at metadata\.name: .*\[k8s\/duplicate-object\]$/);
    }
  });

  test('a valid app synthesizes as before', () => {
    const app = new App({ outdir: tempDir() });
    cidrGroup(new NetsecChart(app, 'groups', { target: lab() }), 'g', 'g', ['192.0.2.0/24']);
    expect(Testing.synth(app.node.findChild('groups') as NetsecChart)).toEqual([
      { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'g' }, spec: { externalCIDRs: ['192.0.2.0/24'] } },
    ]);
  });
});

describe('NetsecTesting.synth()', () => {
  test('returns the validated objects per target and the side files', () => {
    const app = Testing.app();
    dirs.push(app.outdir);
    const target = lab();
    new NodeLocalDnsCache(new NetsecChart(app, 'dns', { target, component: 'node-local-dns' }), 'cache');
    cidrGroup(new NetsecChart(app, 'groups', { target }), 'g', 'g', ['192.0.2.0/24']);
    const result = NetsecTesting.synth(app);
    expect(Object.keys(result.files)).toEqual(['lab/cilium-values.yaml', 'lab/groups.yaml', 'lab/kustomization.yaml', 'lab/node-local-dns.yaml']);
    const lab1 = result.targets.lab!;
    expect(Object.keys(lab1.components)).toEqual(['groups', 'node-local-dns']);
    expect(lab1.components.groups).toEqual([{ apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'g' }, spec: { externalCIDRs: ['192.0.2.0/24'] } }]);
    expect(lab1.kustomization).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['groups.yaml', 'node-local-dns.yaml'] });
    expect(lab1.helmValues).toEqual({ cilium: { localRedirectPolicies: { enabled: true } } });
    expect(lab1.notApplied).toEqual({});
  });

  test('fails on a finding, as NetsecApp.synth() does', () => {
    const app = new App({ outdir: 'unused' });
    schemaBroken(app);
    expect(() => NetsecTesting.synth(app)).toThrow(`error: ${SCHEMA_ERROR}\nnetsec: 1 problem.`);
  });
});

describe('netsec plan --app', () => {
  const root = join(__dirname, '../..');
  const viteNode = join(root, 'node_modules/.bin/vite-node');

  /** A TypeScript app in a temp folder that builds the bundled example with `NetsecApp`, optionally edited. */
  function appScript(edit = ''): string {
    const dir = tempDir();
    const file = join(dir, 'main.ts');
    writeFileSync(
      file,
      `import { buildExampleApp } from ${JSON.stringify(join(root, 'src/main.ts'))};\n` +
        `import { CiliumCidrGroup, NetsecChart } from ${JSON.stringify(join(root, 'src/index.ts'))};\n` +
        `const app = buildExampleApp();\n${edit}\napp.synth();\n`,
    );
    return `${viteNode} ${file}`;
  }

  test('plans what cdk8s synth of the app would change in --out, and writes nothing there', async () => {
    const out = join(tempDir(), 'dist');
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    writeOutput(synthesize(buildExampleApp()).files, out);
    const before = readOutput(out);
    const same = await run('plan', '--app', appScript(), '--out', out);
    expect(same.stdout).toMatch(/^No changes: .* matches the configuration \(\d+ files\)\.\n$/);
    expect(same.code).toBe(0);
    const edit = "new CiliumCidrGroup(app.node.findChild('aks-cilium-egress-blocking') as NetsecChart, 'Extra', { name: 'extra', cidrs: ['203.0.113.0/24'] });";
    const changed = await run('plan', '--app', appScript(edit), '--out', out, '--detailed-exitcode');
    expect(changed.stdout).toContain(`~ ${out}/aks-cilium/egress-blocking.yaml\n`);
    expect(changed.stdout).toContain('        + extra: 1 entry; prefixes +1 / -0\n');
    expect(changed.code).toBe(2);
    expect(readOutput(out)).toEqual(before);
  });

  test('an app that refuses its output fails plan with exit 1, its errors on stderr', async () => {
    const edit = "new CiliumCidrGroup(app.node.findChild('aks-cilium-egress-blocking') as NetsecChart, 'Bad', { name: 'azure-imds', cidrs: ['203.0.113.0/24'] });";
    const command = appScript(edit);
    const { code, stderr, stdout } = await run('plan', '--app', command, '--out', join(tempDir(), 'dist'));
    expect(stdout).toBe('');
    // The app's uncaught NetsecError, as node prints it, carries netsec synth's lines.
    expect(stderr).toContain(
      "error: CiliumCIDRGroup 'azure-imds' at metadata.name: has the same API group, kind, namespace and name as the object from [aks-cilium-egress-blocking/Group-azure-imds/Resource]; on apply only the last one survives and the other silently does not exist. Give one of them another name. [k8s/duplicate-object]\nnetsec synth: 1 problem; nothing was written, ",
    );
    expect(stderr.endsWith(`netsec: --app '${command}' exited with code 1 (its output is above); expected it to synthesize a NetsecApp; fix what it reports and run netsec plan again\n`)).toBe(true);
    expect(code).toBe(1);
  });

  test("--app alone runs cdk8s.yaml's app: command, in the current folder", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'main.mjs'), `import { App } from ${JSON.stringify(join(root, 'node_modules/cdk8s/lib/index.js'))};\nnew App().synth();\n`);
    writeFileSync(join(dir, 'cdk8s.yaml'), 'language: typescript\napp: node main.mjs\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { code, stderr } = await run('plan', '--app', '--out', 'dist');
      // The command of cdk8s.yaml ran (a plain App, so it is refused by name).
      expect(stderr).toContain("netsec: --app 'node main.mjs' wrote no netsec output; ");
      expect(code).toBe(2);
      rmSync(join(dir, 'cdk8s.yaml'));
      const missing = await run('plan', '--app', '--out', 'dist');
      expect(missing.stderr).toBe(`netsec: --app without a command reads app: from cdk8s.yaml, which does not exist here; run netsec plan in your cdk8s project's folder, or give the command, e.g. --app "node lib/main.js"\n`);
      expect(missing.code).toBe(2);
      writeFileSync(join(dir, 'cdk8s.yaml'), 'language: typescript\n');
      const noApp = await run('plan', '--app', '--out', 'dist');
      expect(noApp.stderr).toBe(`cdk8s.yaml: no app: command found; expected a line such as 'app: node lib/main.js', or give the command with --app "node lib/main.js"\n`);
      expect(noApp.code).toBe(2);
    } finally {
      process.chdir(cwd);
    }
  });

  test('an app that builds a plain cdk8s App is refused with what to change (exit 2)', async () => {
    const dir = tempDir();
    const file = join(dir, 'main.mjs');
    writeFileSync(file, `import { App } from ${JSON.stringify(join(root, 'node_modules/cdk8s/lib/index.js'))};\nnew App().synth();\n`);
    const { code, stderr } = await run('plan', '--app', `node ${file}`, '--out', join(dir, 'dist'));
    expect(stderr).toBe(
      `netsec: --app 'node ${file}' wrote no netsec output; expected an app that builds a NetsecApp and calls its synth() (a plain cdk8s App ignores NETSEC_APP_OUTDIR); use new NetsecApp() in place of new App()\n`,
    );
    expect(code).toBe(2);
    // CDK8S_OUTDIR pointed elsewhere: the plain App did not write dist/ next to it.
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});

describe('the config layer as a library', () => {
  test('buildApp(loadConfigFile(...)) gives a NetsecApp a TypeScript user adds constructs to', async () => {
    const { buildApp, loadConfigFile, CiliumCidrGroup } = await import('../../src/index.js');
    const app = await buildApp(loadConfigFile(join(__dirname, '../../netsec.yaml')));
    expect(app).toBeInstanceOf(NetsecApp);
    new CiliumCidrGroup(app.node.findChild('aks-cilium-egress-blocking') as NetsecChart, 'Extra', { name: 'extra', cidrs: ['203.0.113.0/24'] });
    const objects = NetsecTesting.synth(app).targets['aks-cilium']!.components['egress-blocking']!;
    expect(objects.filter((o) => (o.metadata as { name: string }).name === 'extra')).toEqual([
      // Cilium 1.17 serves CiliumCIDRGroup as v2alpha1 (v2 from 1.18).
      { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'extra' }, spec: { externalCIDRs: ['203.0.113.0/24'] } },
    ]);
  });
});
