import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { packageRoot } from '../package-root.js';

const requireCjs = createRequire(import.meta.url);

/**
 * A validator that scripts/compile-validators.mjs generated (ajv standalone code, CommonJS because it `require`s
 * ajv's runtime helpers), by its path inside the package, e.g. `schemas/cilium/1.18/x.validate.cjs`. netsec never
 * compiles a schema at run time: the Cilium policy schema alone took ~300 ms to compile on the CI machine.
 */
export function loadPrecompiledValidator(path: string): ValidateFunction {
  return loadPrecompiledModule(path) as ValidateFunction;
}

/** A generated CommonJS module shipped with the package, by its path inside the package (see `loadPrecompiledValidator`). */
export function loadPrecompiledModule(path: string): unknown {
  return requireCjs(join(packageRoot(), path));
}
