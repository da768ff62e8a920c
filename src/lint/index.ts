export * from './rule.js';
export * from './manifest-index.js';
export * from './lint.js';
export * from './suppressions.js';
export { RULES } from './rules/index.js';
