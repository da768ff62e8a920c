export * from './generated/cilium-flow-data.js';
export * from './event-type-match.js';
export * from './flow-filter.js';
export * from './flow-log-output.js';
export * from './hubble-flow-logs.js';
