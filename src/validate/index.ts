export * from './validate.js';
export * from './documents.js';
export * from './files.js';
export * from './suppress-annotation.js';
export * from './helm-values.js';
export * from './kustomization.js';
export * from './sarif.js';
