// The bundled example as a TypeScript cdk8s app: the same clusters and constructs as netsec.yaml, so that
// `cdk8s synth` (cdk8s.yaml runs the compiled lib/src/main.js) and `netsec synth -c netsec.yaml` write the same bytes.
import { pathToFileURL } from 'node:url';
import { App } from 'cdk8s';
import { Target, formatFinding, synthesize, writeOutput } from './index.js';

/** Builds the example app. Exported so a test can prove it equals the netsec.yaml build. */
export function buildExampleApp(): App {
  const app = new App();

  // An AKS cluster on Cilium 1.17 with Istio 1.23 and NodeLocal DNSCache behind a Cilium Local Redirect Policy.
  const aks = new Target({
    name: 'aks-cilium',
    kubernetes: '1.30',
    cilium: '1.17',
    istio: '1.23',
    cluster: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.0.0.0/16'] },
  });
  // A cluster on Calico 3.30 (policy tiers available).
  const calico = new Target({
    name: 'onprem-calico',
    kubernetes: '1.31',
    calico: '3.30',
    cluster: { podCidrs: ['192.168.0.0/16'], serviceCidrs: ['10.96.0.0/12'] },
  });
  void aks;
  void calico;

  return app;
}

// Run as a program (cdk8s synth): synthesize, refuse invalid output, write atomically.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = synthesize(buildExampleApp());
  const problems = [...result.constructErrors, ...result.findings.map(formatFinding)];
  if (problems.length) {
    for (const p of problems) console.error(p);
    process.exit(1);
  }
  writeOutput(result.files, process.env.CDK8S_OUTDIR ?? 'dist');
}
