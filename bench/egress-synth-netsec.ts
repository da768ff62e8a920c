/**
 * Bench runner (netsec path): a feed file to sharded Cilium and Calico YAML, written to an output folder, exactly as
 * `netsec synth` does it: read + parse + aggregate, CiliumEgressBlock and CalicoEgressBlock, schema validation of every
 * object against the target lines, deterministic YAML, atomic write.
 */
import { App } from 'cdk8s';
import { CalicoEgressBlock, CiliumEgressBlock, NetsecChart, Target, aggregate, formatFinding, readCidrFeed, synthesize, writeOutput } from '../src/index.js';

const [file, outdir] = process.argv.slice(2);
if (!file || !outdir) throw new Error('usage: egress-synth-netsec FEED OUTDIR');
const { prefixes } = await readCidrFeed(file);
const cidrs = aggregate(prefixes).set;
const app = new App();
const cilium = new Target({ name: 'cilium', kubernetes: '1.30', cilium: '1.18' });
const calico = new Target({ name: 'calico', kubernetes: '1.30', calico: '3.30' });
new CiliumEgressBlock(new NetsecChart(app, 'cilium', { target: cilium, component: 'egress-blocking' }), 'Block', { name: 'geo-block', cidrs });
new CalicoEgressBlock(new NetsecChart(app, 'calico', { target: calico, component: 'egress-blocking' }), 'Block', { name: 'geo-block', cidrs });
const result = synthesize(app);
const problems = [...result.constructErrors, ...result.findings.map(formatFinding)];
if (problems.length) throw new Error(problems.slice(0, 5).join('\n'));
writeOutput(result.files, outdir);
process.stdout.write(`${cidrs.size}\n`);
