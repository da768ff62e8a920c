import { readFileSync, readdirSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildApp } from '../src/config/build.js';
import { loadConfigFile } from '../src/config/load.js';
import { readOutput, synthesize } from '../src/index.js';
import { buildExampleApp } from '../src/main.js';
import { run } from './cli/run.js';
import { tempDir } from './util.js';


const root = join(__dirname, '..');
const exampleConfig = join(root, 'netsec.yaml');

describe('the bundled example', () => {
  test('netsec.yaml and the TypeScript app (cdk8s synth) produce the same bytes, and every object is schema-valid', async () => {
    const fromYaml = synthesize(await buildApp(loadConfigFile(exampleConfig)));
    const fromTs = synthesize(buildExampleApp());
    expect(fromYaml.findings).toEqual([]);
    expect(fromYaml.constructErrors).toEqual([]);
    expect(fromTs.files).toEqual(fromYaml.files);
    expect(fromYaml.targets.map((t) => t.name)).toEqual(['aks-cilium', 'legacy-calico', 'onprem-calico']);
  });

  test('synthesis is deterministic: two runs give the same bytes', async () => {
    const a = synthesize(await buildApp(loadConfigFile(exampleConfig))).files;
    const b = synthesize(await buildApp(loadConfigFile(exampleConfig))).files;
    expect(b).toEqual(a);
  });
});

describe('netsec synth and plan on a copy of the example', () => {
  function workspace(): string {
    const dir = tempDir('netsec-example-');
    cpSync(exampleConfig, join(dir, 'netsec.yaml'));
    for (const extra of ['examples']) {
      try {
        cpSync(join(root, extra), join(dir, extra), { recursive: true });
      } catch {
        // optional folder
      }
    }
    return dir;
  }

  test('synth writes one folder per target with a kustomization, exit 0', async () => {
    const dir = workspace();
    const out = join(dir, 'dist');
    const { code, stdout } = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain(`${out}/aks-cilium/ (Kubernetes 1.30, Cilium 1.17, Istio 1.23): `);
    expect(readdirSync(out).sort()).toEqual(['.netsec-output', 'aks-cilium', 'legacy-calico', 'onprem-calico']);
    for (const target of ['aks-cilium', 'legacy-calico', 'onprem-calico']) {
      const kustomization = parseAllDocuments(readFileSync(join(out, target, 'kustomization.yaml'), 'utf8'))[0].toJS();
      for (const file of kustomization.resources) expect(readdirSync(join(out, target))).toContain(file);
    }
  });

  test('a run that fails validation exits 1 and leaves the previous dist/ exactly as it was', async () => {
    const dir = workspace();
    const out = join(dir, 'dist');
    expect((await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out)).code).toBe(0);
    const before = readOutput(out);
    // Block the cluster's own service CIDR: a refusal, found while building.
    const config = readFileSync(join(dir, 'netsec.yaml'), 'utf8').replace('      - 217.160.0.92/32\n', '      - 217.160.0.92/32\n      - 10.0.0.0/8\n');
    writeFileSync(join(dir, 'netsec.yaml'), config);
    const { code, stderr } = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out);
    expect(code).toBe(1);
    // Located at the entry (line 29: '  - name: egress-traffic-blocking'), every line, so editors link each; the entry
    // is refused on both targets it lands on (Cilium and Calico), each with that target's cluster CIDRs.
    expect(stderr).toBe(
      "netsec.yaml:29:5: CiliumEgressBlock 'egress-traffic-blocking' prefix '10.0.0.0/8' overlaps cluster CIDR '10.244.0.0/16' (pod CIDR); expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)\n" +
        "netsec.yaml:29:5: CiliumEgressBlock 'egress-traffic-blocking' prefix '10.0.0.0/8' overlaps cluster CIDR '10.0.0.0/16' (service CIDR); expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)\n" +
        "netsec.yaml:29:5: CalicoEgressBlock 'egress-traffic-blocking' prefix '10.0.0.0/8' overlaps cluster CIDR '10.96.0.0/12' (service CIDR); expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)\n" +
        'netsec: 2 problems in netsec.yaml; fix them and run again.\n',
    );
    expect(readOutput(out)).toEqual(before);
  });

  test('plan reports no changes after synth, and +/- prefixes per block after an edit', async () => {
    const dir = workspace();
    const out = join(dir, 'dist');
    await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out);
    expect((await run('plan', '-c', join(dir, 'netsec.yaml'), '--out', out)).stdout).toMatch(/^No changes: .* matches the configuration \(\d+ files\)\.\n$/);
    writeFileSync(join(dir, 'netsec.yaml'), readFileSync(join(dir, 'netsec.yaml'), 'utf8').replace('      - 217.160.223.1/32\n', '      - 217.160.223.1/32\n      - 203.0.113.7/32\n'));
    const { code, stdout } = await run('plan', '-c', join(dir, 'netsec.yaml'), '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `~ ${out}/aks-cilium/egress-blocking.yaml\n    ~ egress block egress-traffic-blocking (CiliumCIDRGroup.cilium.io): +1 / -0 prefixes; 1 shard: 1 changed\n        ~ egress-traffic-blocking: prefixes +1 / -0\n`,
    );
    expect(stdout).toContain('  onprem-calico: egress block egress-traffic-blocking (GlobalNetworkSet): +1 / -0 prefixes (3 -> 4); 1 shard: 1 changed\n');
    expect(stdout).toMatch(/Plan: 0 file\(s\) to add, 3 to change, 0 to remove; 0 object\(s\) to add, 3 to change, 0 to remove; prefixes \+3 \/ -0\.\n$/);
  });
});

describe('the committed dist/', () => {
  test('is exactly what `npm run synth` writes from netsec.yaml (run it after changing the example)', async () => {
    const result = synthesize(await buildApp(loadConfigFile(exampleConfig)));
    expect(readOutput(join(root, 'dist'))).toEqual(new Map(result.files.map((f) => [f.path, f.content])));
  });
});
