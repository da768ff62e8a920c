/**
 * What `netsec plan` compares, as a library: the previous output folder against the files a synthesis would write.
 * `computePlan(readPreviousOutput('dist'), synthesize(app).files)` gives the same plan as the CLI, `renderPlan` its text.
 */
export * from './blocks.js';
export * from './diff.js';
export * from './netsec-yaml.js';
export * from './objects.js';
export * from './previous-output.js';
export * from './render.js';
