import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, test } from 'vitest';
import { RULES } from '../../src/lint/rules/index.js';
import { run } from '../cli/run.js';

const requireCjs = createRequire(import.meta.url);
/** The SARIF 2.1.0 JSON schema (draft-04) as @microsoft/sarif-matcher-utils ships it: nothing is fetched. */
const SARIF_SCHEMA = JSON.parse(readFileSync(join(requireCjs.resolve('@microsoft/sarif-matcher-utils/package.json'), '..', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8')) as object;

const SEED_004 = join(__dirname, '..', 'fixtures', 'manifests', 'seed-004', 'sleep-network-policy.yaml');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string } }[] } };
    invocations: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[];
    results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[]; suppressions?: unknown[] }[];
  }[];
}

describe('netsec validate --output sarif', () => {
  test('is a valid SARIF 2.1.0 log: one run, every rule with its docs, each finding at its line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsec-sarif-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad\n');
    writeFileSync(
      join(dir, 'policy.yaml'),
      readFileSync(SEED_004, 'utf8').replace('  namespace: foo\n', '  namespace: foo\n  annotations:\n    netsec.io/suppress: "cilium/fqdn-without-dns-visibility: the DNS proxy sees port 53 through a cluster-wide rule"\n'),
    );
    const { code, stdout, stderr } = await run('validate', dir, '--cilium', '1.17', '--kubernetes', '1.30', '--output', 'sarif');
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    const log = JSON.parse(stdout) as SarifLog;

    // unicodeRegExp: false: the schema's language pattern is valid only without the u flag (as JSON Schema draft-04 tools read it).
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(SARIF_SCHEMA);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    // The schema check can fail: a result level SARIF does not define is refused.
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ...log.runs[0]!.results[0], level: 'fatal' }] }] })).toBe(false);

    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const [runLog] = log.runs;
    const ids = runLog!.tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual([...RULES.map((r) => r.id), 'k8s/schema', 'k8s/crd-validation-rule']);
    const fqdn = runLog!.tool.driver.rules.find((r) => r.id === 'cilium/fqdn-without-dns-visibility')!;
    const rule = RULES.find((r) => r.id === 'cilium/fqdn-without-dns-visibility')!;
    expect(fqdn.shortDescription.text).toBe(rule.summary);
    expect(fqdn.fullDescription.text).toBe(rule.explanation);

    const results = runLog!.results.map((r) => ({
      ruleId: r.ruleId,
      rule: ids[r.ruleIndex],
      level: r.level,
      uri: r.locations[0]!.physicalLocation.artifactLocation.uri,
      region: r.locations[0]!.physicalLocation.region,
      message: r.message.text,
      suppressed: r.suppressions !== undefined,
    }));
    const uri = (file: string): string => pathToFileURL(join(dir, file)).href;
    expect(results).toEqual([
      { ruleId: 'k8s/schema', rule: 'k8s/schema', level: 'error', uri: uri('cm.yaml'), region: { startLine: 4, startColumn: 3 }, message: "ConfigMap 'default/Bad' at metadata.name: 'Bad' is not a DNS-1123 subdomain (at most 253 characters)", suppressed: false },
      {
        ruleId: 'cilium/fqdn-without-dns-visibility',
        rule: 'cilium/fqdn-without-dns-visibility',
        level: 'error',
        uri: uri('policy.yaml'),
        region: { startLine: 16, startColumn: 7 },
        message:
          "CiliumNetworkPolicy 'foo/sleep-network-policy' at spec.egress[0].toFQDNs: allows matchPattern: *.google.com by name, but no egress rule for these pods has a DNS L7 rule (toPorts[].rules.dns); the rule that allows port 53 has none: Cilium learns the IPs of toFQDNs names only from DNS answers its DNS proxy sees, so the names never resolve to an allowed IP and every connection is dropped. Add rules: {dns: [{matchPattern: '*'}]} to the rule that allows DNS (port 53), or add such a rule.",
        suppressed: true,
      },
    ]);
    expect(runLog!.results[1]!.suppressions).toEqual([{ kind: 'inSource', justification: 'the DNS proxy sees port 53 through a cluster-wide rule' }]);
    expect(runLog!.invocations[0]!.toolExecutionNotifications).toEqual([
      {
        level: 'note',
        message: { text: "1 namespaced object has no metadata.namespace (the first: ConfigMap 'Bad' at " + join(dir, 'cm.yaml') + ":1:1); checked in namespace 'default', as 'kubectl apply' places them without -n; name another with --namespace" },
      },
    ]);
  });
});
