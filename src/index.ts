export * from './core/index.js';
export * as l1 from './l1.js';
