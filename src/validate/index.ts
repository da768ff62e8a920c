// The library API of `netsec validate`: check manifests read from files, and render the report as SARIF.
export { validateManifests, type ValidateManifestsOptions, type ValidateFinding, type SuppressedValidateFinding, type ValidateNote, type ValidateReport } from './validate.js';
export { parseSuppressAnnotation, type ParsedSuppressions } from './suppress-annotation.js';
export { SUPPRESS_ANNOTATION } from '../core/resource-metadata.js';
export { validateSarif } from './sarif.js';
