// The package's public API: what a user composes (constructs, props, Target, peers, selectors, the CIDR set API,
// config loading, synth, plan and validate). The barrels list their exports by name, internals left out; the
// inventory test (test/core/netsec-app-api.test.ts) pins the list, so a change to it is deliberate.
export * from './core/index.js';
export * from './config/index.js';
export * from './cidr/index.js';
export * from './egress/index.js';
export * from './cilium/index.js';
export * from './dns/index.js';
export * as l1 from './l1.js';
export * from './hubble/index.js';
export * from './istio/index.js';
export * from './lint/index.js';
export * from './validate/index.js';
export * as explain from './explain/index.js';
export { computePlan, readPreviousOutput, renderPlan, type FieldChange, type FileChange, type ObjectChange, type Plan, type PlanSummary, type PreviousEntry } from './plan/index.js';
