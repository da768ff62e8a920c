export * from './block-list.js';
export * from './cidr-list-object.js';
export * from './cilium-cidr-group.js';
export * from './cilium-egress-block.js';
export * from './calico-egress-block.js';
export * from './endpoint-scope.js';
