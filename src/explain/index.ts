/**
 * The offline evaluator: what Cilium's datapath does to a flow, and why (`netsec explain`, `netsec test`).
 * Pure functions over manifests, a cluster description and flows; no cdk8s at evaluation time.
 */
export * from './model.js';
export * from './engine.js';
export { ClusterIndex, Identity } from './cluster.js';
export { KubeObject, refOf } from './cilium.js';
export * from './evaluate.js';
export * from './scenario.js';
export * from './manifests.js';
export * from './run.js';
export * from './render.js';
export * from './matchers.js';
