// The generated L1 classes (imports/), re-exported as `l1` like cdk8s-plus re-exports `k8s`.
export * as cilium from '../imports/cilium.io.js';
export * as calico from '../imports/crd.projectcalico.org.js';
export * as istioSecurity from '../imports/security.istio.io.js';
export * as istioInstall from '../imports/install.istio.io.js';
