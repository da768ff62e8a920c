import { createRequire } from 'node:module';
import type * as K8s from 'cdk8s-plus-28/lib/imports/k8s.js';

let loaded: typeof K8s | undefined;

/**
 * cdk8s-plus-28's Kubernetes L1 classes (`KubeConfigMap`, `KubeDaemonSet`, `Quantity`, ...), loaded on first use.
 * The module takes ~100 ms to load on the CI machine and only the NodeLocal DNSCache and Hubble constructs need it,
 * so `netsec synth` of an egress-blocking config never pays for it (`npm run bench`). Types come from
 * `import type * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js'`, which costs nothing at run time.
 */
export function kube(): typeof K8s {
  loaded ??= createRequire(import.meta.url)('cdk8s-plus-28/lib/imports/k8s.js') as typeof K8s;
  return loaded;
}
