import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { renderError } from '../../src/cli/errors.js';
import { NetsecError } from '../../src/core/errors.js';
import { readOutput } from '../../src/core/output.js';
import { run } from './run.js';
import { TWO_CLUSTERS } from '../util.js';

const MAXMIND_BAD = join(__dirname, '..', 'fixtures', 'maxmind', 'bad');

const TARGETS = TWO_CLUSTERS;

/** A config that synthesizes, to give each refusal a previous dist/ to leave alone. */
const VALID = `${TARGETS}egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A folder with netsec.yaml and `files` (relative paths). */
function workspace(config: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'netsec-located-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'netsec.yaml'), config);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Synthesizes VALID into dir/dist, then `config`: returns that run, having checked dist/ kept every byte. */
async function refused(config: string, files: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = workspace(VALID, files);
  const out = join(dir, 'dist');
  expect((await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out)).code).toBe(0);
  const before = readOutput(out);
  writeFileSync(join(dir, 'netsec.yaml'), config);
  const result = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out);
  expect(readOutput(out)).toEqual(before);
  return result;
}

describe('targets: of an entry', () => {
  test('an unknown target, a target that cannot run the entry and an entry on no target are located errors, all in one run', async () => {
    const config = `${TARGETS}egressBlocking:
  - name: geo
    targets: [aks, production]
    cidrs: [203.0.113.0/24]
ciliumPolicies:
  - name: web
    targets: [c]
    egressDefault: deny
istio:
  - peerAuthentications:
      - { mode: STRICT }
`;
    expect(await refused(config)).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        "netsec.yaml:10:15: egressBlocking[0].targets names 'aks', which is not a target; expected one of: a, c; did you mean 'a'?",
        "netsec.yaml:10:20: egressBlocking[0].targets names 'production', which is not a target; expected one of: a, c; fix the name, or add a target 'production' under targets:",
        "netsec.yaml:14:15: ciliumPolicies[0].targets names 'c', which does not run Cilium; expected a target that runs Cilium (a); add a cilium: version to target 'c', or remove it from targets",
        'netsec.yaml:17:5: istio[0] is on no target: it needs Istio and no target runs it; add an istio: version to a target, or remove the entry',
        'netsec: 4 problems in netsec.yaml; fix them and run again.',
        '',
      ].join('\n'),
    });
  });

  test('a target that runs neither product an egress block needs, and an empty targets: list', async () => {
    const config = `${TARGETS}  - name: k
    kubernetes: "1.30"
egressBlocking:
  - name: geo
    targets: [k]
    cidrs: [203.0.113.0/24]
  - name: geo2
    targets: []
    cidrs: [203.0.113.0/24]
`;
    expect((await refused(config)).stderr).toBe([
      "netsec.yaml:12:15: egressBlocking[0].targets names 'k', which runs neither Cilium nor Calico; expected a target that runs Cilium or Calico (a, c); add a cilium: or calico: version to target 'k', or remove it from targets",
      'netsec.yaml:15:14: egressBlocking[1].targets is empty, so the entry is on no target; expected target names (or no targets: key, for every target that runs Cilium or Calico); name a target or remove the entry',
      'netsec: 2 problems in netsec.yaml; fix them and run again.',
      '',
    ].join('\n'));
  });

  test('an entry without targets: lands on every target that runs what it needs', async () => {
    const dir = workspace(VALID);
    expect((await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', join(dir, 'dist'))).code).toBe(0);
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['.netsec-output', 'a', 'c']);
  });
});

describe('names that must be unique per target', () => {
  test('duplicate entry names are located config errors naming both places (exit 2, never 3)', async () => {
    const config = `${TARGETS}egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
  - name: geo
    cidrs: [198.51.100.0/24]
ciliumPolicies:
  - name: web
    namespace: shop
    egressDefault: deny
  - name: web
    namespace: shop
    egressDefault: deny
`;
    expect(await refused(config)).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        "netsec.yaml:11:11: egressBlocking[1] writes egress block 'geo' on target 'a', as egressBlocking[0] (netsec.yaml:9:11) does; expected one object per name and target; rename one, or put them on different targets",
        "netsec.yaml:17:11: ciliumPolicies[1] writes CiliumNetworkPolicy 'shop/web' on target 'a', as ciliumPolicies[0] (netsec.yaml:14:11) does; expected one object per name and target; rename one, or put them on different targets",
        'netsec: 2 problems in netsec.yaml; fix them and run again.',
        '',
      ].join('\n'),
    });
  });

  test('a mesh-wide PeerAuthentication and one named default in the root namespace are the same object', async () => {
    const config = `targets:
  - name: i
    istio: "1.23"
istio:
  - peerAuthentications:
      - { mode: STRICT }
      - { mode: PERMISSIVE, namespace: istio-system }
`;
    const dir = workspace(config);
    expect(await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', join(dir, 'dist'))).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "netsec.yaml:7:9: istio[0].peerAuthentications[1] writes PeerAuthentication 'istio-system/default' on target 'i', as istio[0].peerAuthentications[0] (netsec.yaml:6:9) does; expected one object per name and target; rename one, or put them on different targets\n",
    });
  });

  test('two hubbleFlowLogs entries on one target: the agent reads one ConfigMap, so they clash whatever their names', async () => {
    const config = `${TARGETS}hubbleFlowLogs:\n  - flowLogs: [{ name: drops }]\n  - name: logs\n    flowLogs: [{ name: all }]\n`;
    expect((await refused(config)).stderr).toBe(
      "netsec.yaml:10:5: hubbleFlowLogs[1] writes the Hubble flow-log exporter's Helm values on target 'a', as hubbleFlowLogs[0] (netsec.yaml:9:5) does; expected one hubbleFlowLogs entry per target (the Cilium agent reads one flow-log ConfigMap); merge their flowLogs into one entry, or put them on different targets\n",
    );
  });

  test("names that read alike inside netsec (policy 'b-c' in 'a', policy 'c' in 'a-b') are two policies, both written", async () => {
    const config = `${TARGETS}ciliumPolicies:
  - name: b-c
    namespace: a
    egressDefault: deny
  - name: c
    namespace: a-b
    egressDefault: deny
`;
    const dir = workspace(config);
    const { code, stderr } = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', join(dir, 'dist'));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const policies = readFileSync(join(dir, 'dist', 'a', 'cilium-policies.yaml'), 'utf8');
    expect(policies).toContain('  name: b-c\n  namespace: a\n');
    expect(policies).toContain('  name: c\n  namespace: a-b\n');
  });
});

describe('YAML a parser accepts but netsec cannot use', () => {
  test('an alias bomb is refused at the alias that nests, with no crash', async () => {
    const config = `${TARGETS}x: &x [l, l, l, l, l, l, l, l, l, l]
y: &y [*x, *x, *x, *x, *x, *x, *x, *x, *x, *x]
z: &z [*y, *y, *y, *y, *y, *y, *y, *y, *y, *y]
w: &w [*z, *z, *z, *z, *z, *z, *z, *z, *z, *z]
`;
    expect(await refused(config)).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "netsec.yaml:10:8: the aliases here expand the file beyond netsec's limit (an anchor may be expanded at most 100 times, counting the aliases inside it); expected a file that aliases a few values; write the values out or use fewer nested aliases\n",
    });
  });

  test('an alias without its anchor', async () => {
    expect((await refused(`${TARGETS}egressBlocking:\n  - name: geo\n    cidrs: *blocked\n`)).stderr).toBe(
      "netsec.yaml:10:12: alias '*blocked' names no anchor defined before it; expected '&blocked' on an earlier value; define the anchor first or write the value out\n",
    );
  });

  test('a list used as a key is refused where it is written (the yaml library would print a warning quoting it)', async () => {
    expect(await refused(`${TARGETS}? [a, "\\e[2J"]\n: 1\n`)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'netsec.yaml:8:3: a list or map is used as a key; expected a name; write the key as a plain string\n',
    });
  });

  test('.inf, .nan and 1e400 are refused where they are written', async () => {
    const config = `${TARGETS}egressBlocking:
  - name: geo
    cidrs: [203.0.113.0/24]
    calico:
      tier: { name: blocking, order: .inf }
  - name: geo2
    cidrs: [198.51.100.0/24]
    calico:
      tier: { name: blocking2, order: 1e400 }
  - name: geo3
    cidrs: [192.0.2.0/24]
    calico:
      tier: { name: blocking3, order: .NaN }
`;
    expect(await refused(config)).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        "netsec.yaml:12:38: '.inf' is infinite to YAML; expected a finite number; write the number itself (or quote it if a string was meant)",
        "netsec.yaml:16:39: '1e400' is infinite to YAML; expected a finite number; write the number itself (or quote it if a string was meant)",
        "netsec.yaml:20:39: '.NaN' is not a number to YAML; expected a finite number; write the number itself (or quote it if a string was meant)",
        'netsec: 3 problems in netsec.yaml; fix them and run again.',
        '',
      ].join('\n'),
    });
  });
});

describe('bad CIDRs under netsec synth', () => {
  test('a single bad feed line is located like many (file relative to netsec.yaml, line, column)', async () => {
    const feed = `${'192.0.2.0/24\n'.repeat(4_999)}1.2.3.4/33\n`;
    const config = `${TARGETS}egressBlocking:\n  - name: geo\n    feeds: [{ file: feeds/block.txt }]\n`;
    expect(await refused(config, { 'feeds/block.txt': feed })).toEqual({
      code: 2,
      stdout: '',
      stderr: "feeds/block.txt:5000:9: '1.2.3.4/33' has prefix length 33; expected 0-32 for IPv4\n",
    });
  });

  test('host bits in a feed: the hint names the key netsec.yaml has, not a CLI flag', async () => {
    const config = `${TARGETS}egressBlocking:\n  - name: geo\n    cidrs: [203.0.113.0/24]\n  - name: geo2\n    feeds: [{ file: block.txt }]\n`;
    expect((await refused(config, { 'block.txt': '# header\n198.51.100.1/24\n' })).stderr).toBe(
      "block.txt:2:1: '198.51.100.1/24' has host bits set; expected a network address such as '198.51.100.0/24' (set lenient: true in egressBlocking[1] to normalise)\n",
    );
  });

  test('inline cidrs: and except: items are reported at their own netsec.yaml line and column', async () => {
    const config = `${TARGETS}egressBlocking:
  - name: geo
    cidrs:
      - 203.0.113.0/24
      - "198.51.100.1/24"
      - 300.1.1.1
  - name: geo2
    cidrs: [192.0.2.0/24]
    except: [192.0.2.0/33]
`;
    expect((await refused(config)).stderr).toBe([
      "netsec.yaml:12:10: '198.51.100.1/24' has host bits set; expected a network address such as '198.51.100.0/24' (set lenient: true in egressBlocking[0] to normalise)",
      "netsec.yaml:13:9: '300.1.1.1' has octet 300 out of range; expected 0-255",
      'netsec: 2 invalid items in egressBlocking[0].cidrs; fix them and run again.',
      '',
    ].join('\n'));
    const exceptOnly = config.replace('      - "198.51.100.1/24"\n      - 300.1.1.1\n', '');
    expect((await refused(exceptOnly)).stderr).toBe("netsec.yaml:14:24: '192.0.2.0/33' has prefix length 33; expected 0-32 for IPv4\n");
  });

  test("a policy's CIDRs are checked at their own place too (exit 2, not a construct error without a line)", async () => {
    const config = `${TARGETS}ciliumPolicies:
  - name: web
    egress:
      - to: { cidrs: [192.0.2.0/24, { cidr: 10.0.0.0/8, except: [10.1.0.0/33] }] }
`;
    expect(await refused(config)).toEqual({ code: 2, stdout: '', stderr: "netsec.yaml:11:75: '10.1.0.0/33' has prefix length 33; expected 0-32 for IPv4\n" });
  });

  test('an empty item or a comment in a cidrs: list is refused, not skipped', async () => {
    const config = `${TARGETS}egressBlocking:\n  - name: geo\n    cidrs: ["", "# x", 203.0.113.0/24]\n`;
    expect((await refused(config)).stderr).toBe([
      "netsec.yaml:10:13: '' is not a prefix; expected a CIDR prefix or address such as '192.0.2.0/24'; write one, or remove the item",
      "netsec.yaml:10:17: '# x' is not a prefix; expected a CIDR prefix or address such as '192.0.2.0/24'; write one, or remove the item",
      'netsec: 2 problems in egressBlocking[0].cidrs; fix them and run again.',
      '',
    ].join('\n'));
  });

  test("a target's own cluster CIDRs are reported where the target writes them, not at the entry that first reads them", async () => {
    const config = VALID.replace('serviceCidrs: [10.0.0.0/16]', 'serviceCidrs: [10.0.0.1/16]');
    expect((await refused(config)).stderr).toBe("netsec.yaml:4:58: '10.0.0.1/16' has host bits set; expected a network address such as '10.0.0.0/16'\n");
  });

  test('a missing feed is reported at the file: that names it, relative to netsec.yaml', async () => {
    const config = `${TARGETS}egressBlocking:\n  - name: geo\n    feeds: [{ file: feeds/missing.txt }]\n`;
    expect((await refused(config)).stderr).toBe(
      "netsec.yaml:10:21: cannot read the feed 'feeds/missing.txt' (no such file); expected a readable file, its path relative to netsec.yaml's folder; fix the path or create the file\n",
    );
  });

  test('a feed path written as a shell would expand it says that netsec.yaml does not', async () => {
    for (const path of ['~/feeds/x.txt', '$FEEDS/x.txt', '${HOME}/x.txt']) {
      const config = `${TARGETS}egressBlocking:\n  - name: geo\n    feeds: [{ file: "${path}" }]\n`;
      expect((await refused(config)).stderr).toBe(
        `netsec.yaml:10:21: cannot read the feed '${path}' (no such file); expected a readable file, its path relative to netsec.yaml's folder (netsec reads the path as written: '~' and $VARIABLES are not expanded); fix the path or create the file\n`,
      );
    }
  });

  test('bad MaxMind rows are located in the CSV, named under the directory netsec.yaml gives; an unknown country at its code', async () => {
    const dir = workspace(VALID);
    const out = join(dir, 'dist');
    expect((await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out)).code).toBe(0);
    cpSync(MAXMIND_BAD, join(dir, 'geo'), { recursive: true });
    writeFileSync(join(dir, 'netsec.yaml'), `${TARGETS}egressBlocking:\n  - name: geo\n    feeds: [{ maxmind: { directory: geo, countries: [DE] } }]\n`);
    expect(await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out)).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        "geo/GeoLite2-Country-Blocks-IPv4.csv:3:9: '192.0.2.300/32' has octet 300 out of range; expected 0-255",
        "geo/GeoLite2-Country-Blocks-IPv4.csv:4:17: 'DE' in column 'geoname_id' is not a geoname id; expected a decimal number or an empty field",
        "geo/GeoLite2-Country-Blocks-IPv4.csv:5:1: '203.0.113.1/24' has host bits set; expected a network address such as '203.0.113.0/24'",
        'netsec: 3 invalid lines in geo/GeoLite2-Country-Blocks-IPv4.csv; fix them and run again.',
        '',
      ].join('\n'),
    });
    writeFileSync(join(dir, 'netsec.yaml'), `${TARGETS}egressBlocking:\n  - name: geo\n    feeds: [{ maxmind: { directory: geo, countries: [DE, ZZ] } }]\n`);
    expect((await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', out)).stderr).toBe(
      "netsec.yaml:10:58: unknown country code 'ZZ' in geo/GeoLite2-Country-Locations-en.csv; expected one of the 2-letter codes it lists, e.g. 'DE'\n",
    );
  });
});

test("constructs' refusals of several entries are all reported in one run, each once, in file order; nothing is written", async () => {
  const config = `${TARGETS}  - name: b
    cilium: "1.18"
nodeLocalDns:
  - targets: [a, b]
    resources: { requests: { memory: 2Gi }, limits: { memory: 1Gi } }
ciliumPolicies:
  - name: p
    targets: [a]
    endpointSelector: { matchLabels: { constructor: x } }
    egress:
      - to: { cidrs: [1.1.1.0/24] }
`;
  const r = await refused(config);
  expect(r.code).toBe(1);
  expect(r.stderr.split('\n').map((l) => l.replace(/: .*/, ''))).toEqual(['netsec.yaml:12:30', 'netsec.yaml:16:40', 'netsec', '']);
  expect(r.stderr).toContain('netsec: 2 problems in netsec.yaml; fix them and run again.');
});

describe("a construct's refusal points at the key it names", () => {
  test('the key the message quotes, when the entry has it once; else the entry', async () => {
    const config = `${TARGETS}nodeLocalDns:
  - targets: [a]
    resources: { requests: { memory: 2Gi }, limits: { memory: 1Gi } }
`;
    const r = await refused(config);
    expect(r.stderr.split('\n')[0]).toBe(
      "netsec.yaml:10:30: NodeLocalDnsCache 'kube-system/node-local-dns': 'resources.requests.memory' is above 'resources.limits.memory'; the API server refuses the DaemonSet (\"must be less than or equal to memory limit\"). Raise the limit or lower the request.",
    );
    const filter = `${TARGETS}hubbleFlowLogs:
  - targets: [a]
    flowLogs:
      - name: a
        includeFilters:
          - destinationPort: ["443"]
          - destinationPort: ["99999"]
`;
    // A quoted word that is one of the entry's values (a flow log named 'file') is not taken for the key file:.
    const named = `${TARGETS}hubbleFlowLogs:
  - targets: [a]
    flowLogs:
      - name: file
        file: a.log
      - name: file
`;
    expect((await refused(named)).stderr.split('\n')[0]).toMatch(/^netsec\.yaml:9:5: HubbleFlowLogs .* the name 'file' is already used/);
    // destinationPort is written twice: the refusal cannot tell which by its key alone, so it stays at the entry.
    expect((await refused(filter)).stderr.split('\n')[0]).toMatch(/^netsec\.yaml:9:5: HubbleFlowLogs .* 'destination_port' "99999" is not a port number from 0 to 65535/);
  });
});

describe('what messages echo from the input', () => {
  test('control characters in netsec.yaml and in a feed are escaped, never sent to the terminal', async () => {
    const key = await refused(`${TARGETS}"\\e[31mred\\u0000": 1\n`);
    expect(key.stderr).toBe(
      "netsec.yaml:8:1: unknown key '\\x1b[31mred\\x00'; expected one of: targets, egressBlocking, ciliumCidrGroups, nodeLocalDns, ciliumPolicies, hubbleFlowLogs, istio; remove it\n",
    );
    const config = `${TARGETS}egressBlocking:\n  - name: geo\n    feeds: [{ file: block.txt }]\n`;
    const feed = await refused(config, { 'block.txt': '\u001b[2J\u001b[Hevil\u202e\n' });
    expect(feed.stderr).toBe(
      "block.txt:1:1: '\\x1b[2J\\x1b[Hevil\\u202e' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'\n",
    );
  });

  test('a huge echoed value is cut after 200 characters', async () => {
    const config = `${TARGETS}egressBlocking:\n  - name: geo\n    feeds: [{ file: block.txt }]\n`;
    const { stderr } = await refused(config, { 'block.txt': `${'x'.repeat(10_000)}\n` });
    expect(stderr).toBe(
      `block.txt:1:1: '${'x'.repeat(200)}… (9,800 more characters)' is not an IP address or CIDR prefix; expected IPv4 such as '192.0.2.0/24' or IPv6 such as '2001:db8::/32'\n`,
    );
  });
});

describe('output bytes do not depend on where netsec runs', () => {
  test('with lenient: true, headers name netsec.yaml and feeds relative to its folder, whatever the -c spelling', async () => {
    const config = `${TARGETS}egressBlocking:
  - name: geo
    lenient: true
    cidrs: [203.0.113.1/24]
    feeds: [{ file: ./feeds/block.txt }]
`;
    const dir = workspace(config, { 'feeds/block.txt': '198.51.100.7/24\n' });
    const absolute = await run('synth', '-c', join(dir, 'netsec.yaml'), '--out', join(dir, 'dist-a'));
    const fromCwd = await run('synth', '-c', relative(process.cwd(), join(dir, 'netsec.yaml')), '--out', join(dir, 'dist-b'));
    expect([absolute.code, fromCwd.code]).toEqual([0, 0]);
    const a = readOutput(join(dir, 'dist-a'));
    expect(readOutput(join(dir, 'dist-b'))).toEqual(a);
    const header = a.get('a/egress-blocking.yaml')!.split('\n').filter((l) => l.startsWith('# WARNING'));
    expect(header).toEqual([
      "# WARNING: netsec.yaml:11:13: '203.0.113.1/24' has host bits set; normalised to '203.0.113.0/24'",
      "# WARNING: feeds/block.txt:1:1: '198.51.100.7/24' has host bits set; normalised to '198.51.100.0/24'",
    ]);
    for (const [path, content] of a) expect(content.includes(dir), path).toBe(false);
  });
});

describe('netsec validate', () => {
  test('a folder is walked, not EISDIR (test/cli/validate.test.ts has the details)', async () => {
    const dir = workspace(VALID);
    const { code, stdout } = await run('validate', dir, '--cilium', '1.17');
    expect({ code, stdout }).toEqual({ code: 1, stdout: `${dir}/netsec.yaml:1:1: no apiVersion and no kind; expected a Kubernetes object (apiVersion, kind, metadata)\n` });
  });

  test('invalid YAML is reported where the parser stopped, not at the document start', async () => {
    const dir = workspace(VALID, { 'bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x\n' });
    const { code, stdout } = await run('validate', join(dir, 'bad.yaml'), '--cilium', '1.17');
    expect({ code, stdout }).toEqual({ code: 1, stdout: `${join(dir, 'bad.yaml')}:4:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }\n` });
  });

  test('an alias bomb in a manifest is a finding at the document, not a crash', async () => {
    const dir = workspace(VALID, {
      'bomb.yaml': 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n',
    });
    const { code, stdout } = await run('validate', join(dir, 'bomb.yaml'), '--cilium', '1.17');
    expect({ code, stdout }).toEqual({ code: 1, stdout: `${join(dir, 'bomb.yaml')}:1:1: invalid YAML: Excessive alias count indicates a resource exhaustion attack\n` });
  });
});

describe('renderError', () => {
  test('a located multi-line message links from every line; an unlocated one starts with netsec:', () => {
    const located = new NetsecError('INVALID', 'first\nsecond', { file: 'netsec.yaml', line: 3, column: 5 });
    expect(renderError(located)).toBe('netsec.yaml:3:5: first\nnetsec.yaml:3:5: second\n');
    expect(renderError(new NetsecError('USAGE', "Unknown argument: x\nRun 'netsec --help' for usage."))).toBe("netsec: Unknown argument: x\nRun 'netsec --help' for usage.\n");
  });

  test('an unexpected error is a bug, reported without its stack unless --verbose, escaped like the rest', () => {
    expect(renderError(new Error('boom \u001b[2J'))).toBe('netsec: internal error: boom \\x1b[2J\nThis is a bug in netsec; run again with --verbose for a stack trace and report it.\n');
    expect(renderError(new Error('boom'), true)).toMatch(/^netsec: internal error: boom\nError: boom\n {4}at /);
  });

  test('a line longer than 2,000 characters is cut, whoever built it', () => {
    const rendered = renderError(new NetsecError('CONFIG', 'y'.repeat(5_000)));
    expect(rendered).toBe(`netsec: ${'y'.repeat(1_992)}… (3,008 more characters)\n`);
  });
});
