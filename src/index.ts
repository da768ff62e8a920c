export * from './core/index.js';
export * from './cidr/index.js';
export * from './egress/index.js';
export * from './cilium/index.js';
export * from './dns/index.js';
export * as l1 from './l1.js';
export * from './hubble/index.js';
export * from './istio/index.js';
export * from './lint/index.js';
