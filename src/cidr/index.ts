/**
 * The CIDR engine: parse feeds, aggregate to the minimal cover, subtract exclusions, shard under object-size
 * budgets, and refuse dangerous block lists.
 */
export * from './format.js';
export * from './prefix-list.js';
export * from './parse.js';
export * from './cidr.js';
export * from './cidr-set.js';
export * from './aggregate.js';
export * from './exclude.js';
export * from './feeds/read.js';
export * from './feeds/plain.js';
export * from './feeds/maxmind.js';
export * from './hash.js';
export * from './shard.js';
export * from './refusals.js';
