export { formatLocation, NetsecError, type NetsecErrorCode, type NetsecErrorOptions, type Problem, type SourceLocation } from './errors.js';
export { Product, PRODUCT_NAMES, SUPPORTED_LINES, VersionLine } from './versions.js';
export { Feature, FEATURES, type FeatureSpec } from './features.js';
export { ApplyMode, type ClusterNetwork, NodeLocalDnsMode, type NodeLocalDnsSettings, Target, type TargetProps } from './target.js';
export { NetsecChart, type NetsecChartProps } from './netsec-chart.js';
export { addNote, addWarning, collectDiagnostics, type Diagnostic, DiagnosticLevel } from './diagnostics.js';
export { HelmValues, type HelmValuesProps } from './helm-values.js';
export { type ResourceMetadataProps } from './resource-metadata.js';
export { type OutputFile, synthesize, synthProblems, type SynthResult } from './synth.js';
export { DEFAULT_LOCK_WAIT_MS, LOCK_STALE_MS, type LockHolder, OUTPUT_MARKER, OutputLockedError, readOutput, recoverOutput, writeOutput, writeOutputAsync, type WriteOutputAsyncOptions, type WriteOutputResult } from './output.js';
export { describeResource, formatFinding, type ResourceRef, type ValidationFinding } from './validation/finding.js';
export { ManifestValidator, type ValidateOptions } from './validation/manifest-validator.js';
export { type AppCommandOptions, NETSEC_APP_OUTDIR_ENV, NetsecApp, type NetsecAppProps, NetsecTesting, type NetsecTestingResult, type NetsecTestingTarget } from './netsec-app.js';

