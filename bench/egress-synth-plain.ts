/**
 * Bench runner (peer path): what a team writes without netsec: cidr-tools 11 to merge the feed, fixed-size chunks,
 * plain cdk8s ApiObjects for the CiliumCIDRGroups + CCNP and GlobalNetworkSets + GNP, and cdk8s's own YAML output.
 * No schema validation and no byte budget (it chunks by count), so it does less work than the netsec path.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { mergeCidr } from 'cidr-tools';

const [file, outdir] = process.argv.slice(2);
if (!file || !outdir) throw new Error('usage: egress-synth-plain FEED OUTDIR');
const nets = readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
const merged = mergeCidr(nets);
const CHUNK = 10_000;
const app = new App({ outdir });
const cilium = new Chart(app, 'cilium');
const calico = new Chart(app, 'calico');
const labels = { policy: 'geo-block' };
for (let i = 0, n = 0; i < merged.length; i += CHUNK, n++) {
  const chunk = merged.slice(i, i + CHUNK);
  new ApiObject(cilium, `ccg-${n}`, { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: `geo-block-${n}`, labels }, spec: { externalCIDRs: chunk } });
  new ApiObject(calico, `gns-${n}`, { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkSet', metadata: { name: `geo-block-${n}`, labels }, spec: { nets: chunk } });
}
new ApiObject(cilium, 'ccnp', {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumClusterwideNetworkPolicy',
  metadata: { name: 'geo-block', labels },
  spec: { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: labels } }] }] },
});
new ApiObject(calico, 'gnp', {
  apiVersion: 'crd.projectcalico.org/v1',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'geo-block', labels },
  spec: { order: 0, types: ['Egress'], egress: [{ action: 'Log', destination: { selector: "policy == 'geo-block'" } }, { action: 'Deny', destination: { selector: "policy == 'geo-block'" } }] },
});
mkdirSync(outdir, { recursive: true });
for (const chart of [cilium, calico]) writeFileSync(join(outdir, `${chart.node.id}.k8s.yaml`), Yaml.stringify(...chart.toJson()));
process.stdout.write(`${merged.length}\n`);
