import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageRoot } from '../package-root.js';
import { Target } from '../target.js';
import { PRODUCT_NAMES, Product } from '../versions.js';
import { CRD_VALIDATION_RULE_ID, celRulesFor } from './cel.js';
import { ValidationFinding, pointerToPath, refOf } from './finding.js';
import { validateMetadata } from './metadata.js';
import { loadPrecompiledModule, loadPrecompiledValidator } from './precompiled.js';

interface SchemaEntry {
  readonly file: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly deprecated: boolean;
  readonly upstreamFile: string;
  /** How many CEL rules (`x-kubernetes-validations`) the schema lists; absent when none. */
  readonly celRules?: number;
  /**
   * The CRD has the status subresource: the API server ignores `status` on writes to the object (only the controller
   * writes it, through /status), so an exported object's status is no error. The schemas leave status out.
   */
  readonly statusSubresource?: boolean;
}
interface SchemaIndex {
  readonly [product: string]: { readonly [line: string]: { readonly source: string; readonly kinds: Record<string, SchemaEntry> } };
}

const requireCjs = createRequire(import.meta.url);
const validators = new Map<string, ValidateFunction>();
let index: SchemaIndex | undefined;

function getIndex(): SchemaIndex {
  index ??= JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'index.json'), 'utf8')) as SchemaIndex;
  return index;
}

/**
 * The validator for the schema at `schemas/<file>`, precompiled at vendor time (`npm run vendor`). Exported for the
 * test that loads every vendored validator.
 */
export function validatorFor(file: string): ValidateFunction {
  let validate = validators.get(file);
  if (!validate) {
    validate = loadPrecompiledValidator(join('schemas', file.replace(/\.json$/, '.validate.cjs')));
    validators.set(file, validate);
  }
  return validate;
}

/** Which product's CRDs define an API group. Core Kubernetes groups return undefined. */
export function productOfGroup(group: string): Product | undefined {
  if (group === 'cilium.io') return Product.CILIUM;
  if (group === 'crd.projectcalico.org' || group === 'projectcalico.org') return Product.CALICO;
  if (group === 'istio.io' || group.endsWith('.istio.io')) return Product.ISTIO;
  return undefined;
}

/** The product whose CRDs serve an apiVersion (`cilium.io/v2` -> Cilium); undefined for core Kubernetes ones. */
function productOfApiVersion(apiVersion: string): Product | undefined {
  return productOfGroup(apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
}

interface CoreKind {
  readonly scope: 'Namespaced' | 'Cluster';
  readonly validate: ValidateFunction;
}
let loadedCoreKinds: Readonly<Record<string, CoreKind>> | undefined;

/**
 * The core kinds netsec emits (`v1 ConfigMap`, `apps/v1 DaemonSet`, ...) with their scope and validator: the
 * kubernetes-models schemas, bundled at vendor time into one module (`scripts/compile-validators.mjs --core`).
 */
function coreKinds(): Readonly<Record<string, CoreKind>> {
  loadedCoreKinds ??= (loadPrecompiledModule(join('schemas', 'kubernetes', 'core-kinds.validate.cjs')) as { kinds: Record<string, CoreKind> }).kinds;
  return loadedCoreKinds;
}

interface KubernetesModel {
  validate(): void;
}
type KubernetesModelClass = (new (data: unknown) => KubernetesModel) & { apiVersion?: string; kind?: string };

/**
 * The kubernetes-models class of a Kubernetes API kind (`v1 Secret`, `batch/v1 Job`), or undefined when the package
 * has none. Only names of API kinds are looked up (the apiVersion and kind come from the manifest being checked, and
 * must not pick an arbitrary module), and only top-level kinds count (the package also has `v1 Affinity`, a part).
 */
function kubernetesModelOf(apiVersion: string, kind: string): KubernetesModelClass | undefined {
  if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  let mod: Record<string, KubernetesModelClass>;
  try {
    mod = requireCjs(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, KubernetesModelClass>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined;
    throw err;
  }
  const model = mod[kind];
  return model && model.apiVersion === apiVersion && model.kind === kind ? model : undefined;
}

function validateCoreKind(obj: Record<string, unknown>, apiVersion: string, kind: string): ErrorObject[] {
  const core = coreKinds()[`${apiVersion} ${kind}`];
  if (core) return core.validate(obj) ? [] : [...(core.validate.errors ?? [])];
  const model = kubernetesModelOf(apiVersion, kind)!;
  try {
    new model(obj).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: ErrorObject[] }).errors;
    if (!errors) throw err;
    return errors;
  }
}

/** Turns one ajv error into the message a user reads: what was expected, and what was found. */
function describeError({ error: e, branches: folded }: CollapsedError, root: unknown): { path: string; message: string } {
  const path = pointerToPath(e.instancePath);
  // The precompiled validators are verbose; kubernetes-models' errors may lack `data`.
  const data = e.data !== undefined ? e.data : valueAtPointer(root, e.instancePath);
  const got = data === undefined ? '' : ` (got ${JSON.stringify(data)?.slice(0, 80)})`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        path: path ? `${path}.${field}` : field,
        message: `unknown field '${field}' (the API server would prune it); expected ${known.length ? `one of: ${known.join(', ')}` : 'no fields here'}`,
      };
    }
    case 'required':
      return { path, message: `missing required field '${(e.params as { missingProperty: string }).missingProperty}'` };
    case 'type':
      return { path, message: `expected ${String((e.params as { type: string | string[] }).type)}${got}` };
    case 'enum':
      return { path, message: `expected one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}${got}` };
    case 'pattern':
      return { path, message: `expected a string matching ${(e.params as { pattern: string }).pattern}${got}` };
    case 'format':
      return { path, message: `expected format '${(e.params as { format: string }).format}'${got}` };
    case 'const':
      return { path, message: `expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}${got}` };
    case 'anyOf':
    case 'oneOf': {
      // CRDs use anyOf/oneOf of `required` lists to say "at least one / exactly one of these fields".
      const branches = (e.schema as { required?: string[] }[] | undefined) ?? [];
      const fields = branches.flatMap((b) => b.required ?? []);
      if (fields.length === branches.length && fields.length > 0) {
        return { path, message: `expected ${e.keyword === 'oneOf' ? 'exactly one' : 'at least one'} of the fields: ${fields.join(', ')}` };
      }
      if (folded) {
        const forms = folded.map((b) => describeError({ error: { ...b, data: undefined } }, undefined).message.replace(/^expected /, ''));
        return { path, message: `expected ${forms.join(' or ')}${got}` };
      }
      return { path, message: `${e.message ?? e.keyword}${got}` };
    }
    default:
      return { path, message: `${e.message ?? e.keyword}${got}` };
  }
}

/**
 * Validates manifests against the upstream schemas of one target's own version lines: Cilium, Calico and Istio
 * objects against the CRDs vendored for that line (strict: unknown fields are errors), core Kubernetes objects
 * against the kubernetes-models schemas, and every object's metadata against the API server's name and label rules.
 */
export class ManifestValidator {
  public constructor(private readonly target: Target) {}

  /**
   * Whether objects of a kind live in a namespace, as the schema netsec checks them with says; undefined for a kind
   * netsec has no scope for. `netsec validate` puts a namespace-less namespaced object in `--namespace`, as kubectl does.
   */
  public scopeOf(apiVersion: string, kind: string): 'Namespaced' | 'Cluster' | undefined {
    const product = productOfApiVersion(apiVersion);
    if (!product) return coreKinds()[`${apiVersion} ${kind}`]?.scope;
    const version = this.target.version(product);
    return version ? servedEntry(product, version.line, apiVersion, kind)?.entry.scope : undefined;
  }

  /**
   * Whether netsec has a schema for a kind: a Cilium, Calico or Istio kind (on any line: an unserved version is a
   * finding of its own), or a Kubernetes kind kubernetes-models describes. `validate` reports any other kind as not checked.
   */
  public hasSchema(apiVersion: string, kind: string): boolean {
    const product = productOfApiVersion(apiVersion);
    // A kind of the product that netsec vendors on some line: on another line it is a finding (not served, or a
    // CRD the line does not have). A kind it vendors on no line (Calico's HostEndpoint, BGPPeer, ...) is not checked.
    if (product) return Object.values(getIndex()[product]).some((line) => Object.keys(line.kinds).some((k) => k.endsWith(` ${kind}`)));
    return coreKinds()[`${apiVersion} ${kind}`] !== undefined || kubernetesModelOf(apiVersion, kind) !== undefined;
  }

  /**
   * What the API server refuses when `after` is applied over `before`, the same object as committed (`netsec plan`):
   * the CRD's transition rules on the target's line (see `CelRuleSet.refusedUpdates`). Empty for core kinds, kinds the
   * line does not serve, and CRDs without such rules.
   */
  public refusedUpdates(before: Record<string, unknown>, after: Record<string, unknown>): ValidationFinding[] {
    const resource = refOf(after);
    const product = productOfApiVersion(resource.apiVersion);
    const version = product && this.target.version(product);
    const entry = product && version ? servedEntry(product, version.line, resource.apiVersion, resource.kind)?.entry : undefined;
    return entry?.celRules ? celRulesFor(entry.file).refusedUpdates(before, after, resource) : [];
  }

  /** All findings for the objects, in input order. */
  public validateAll(objects: readonly Record<string, unknown>[]): ValidationFinding[] {
    return objects.flatMap((o) => this.validate(o));
  }

  /**
   * The findings for one object; empty when it is valid for the target.
   * @param options where the object goes (an IstioOperator in a chart that is not applied is an istioctl input)
   */
  public validate(obj: Record<string, unknown>, options: ValidateOptions = {}): ValidationFinding[] {
    const resource = refOf(obj);
    const { apiVersion, kind } = resource;
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const product = productOfGroup(group);
    if (!product) {
      const scope = coreKinds()[`${apiVersion} ${kind}`]?.scope;
      if (!scope && !kubernetesModelOf(apiVersion, kind)) {
        return [{ resource, path: '', message: `netsec has no schema for ${apiVersion} ${kind}; expected a Cilium, Calico or Istio kind, or a Kubernetes kind such as: ${Object.keys(coreKinds()).join(', ')}` }];
      }
      // A Kubernetes kind outside the list: its kubernetes-models schema, and metadata without a known scope.
      return [
        ...validateMetadata(obj, scope === undefined ? undefined : scope === 'Namespaced'),
        ...collapseCombinators(validateCoreKind(obj, apiVersion, kind)).map((e) => ({ resource, ...describeError(e, obj) })),
      ];
    }
    const version = this.target.version(product);
    const productName = PRODUCT_NAMES[product];
    if (!version) {
      return [{ resource, path: '', message: `${apiVersion} ${kind} is ${/^[AEIOU]/.test(productName) ? 'an' : 'a'} ${productName} object, but target '${this.target.name}' names no ${productName} version, so netsec cannot pick its schema; name one (${product}: on the target in netsec.yaml, --${product} LINE for netsec validate)` }];
    }
    const line = getIndex()[product][version.line];
    // An IstioOperator that is not applied to the cluster is checked as an istioctl input (see below).
    const isIstioOperator = `${apiVersion} ${kind}` === ISTIO_OPERATOR;
    const served = servedEntry(product, version.line, apiVersion, kind);
    if (served?.schemaApiVersion) obj = { ...obj, apiVersion: served.schemaApiVersion };
    const entry = served?.entry ?? (isIstioOperator && options.applyToCluster !== true ? istioctlInputEntry() : undefined);
    if (!entry) {
      const served = Object.keys(line.kinds)
        .filter((k) => k.endsWith(` ${kind}`))
        .map((k) => k.split(' ')[0]);
      const expectation = served.length ? `served: ${served.join(', ')}` : `${productName} ${version.line} has no ${kind} CRD`;
      const hint = isIstioOperator ? "; an IstioOperator is an input for 'istioctl install -f': put it in a chart with applyToCluster: false" : '';
      return [{ resource, path: 'apiVersion', message: `'${apiVersion}' ${kind} is not served by ${productName} ${version.line} (schemas: ${line.source}); ${expectation}${hint}` }];
    }
    const validateFn = validatorFor(entry.file);
    if (entry.statusSubresource && Object.hasOwn(obj, 'status')) {
      const { status: _ignored, ...written } = obj;
      obj = written;
    }
    const findings = validateMetadata(obj, entry.scope === 'Namespaced');
    const schemaErrors = validateFn(obj) ? [] : (validateFn.errors ?? []);
    for (const e of collapseCombinators(schemaErrors)) findings.push({ resource, ...describeError(e, obj) });
    if (entry.celRules) {
      // As the API server does (apiextensions-apiserver customresource strategy.go `hasBlockingErr`): the CEL rules
      // run only on an object with the shape they were written for.
      if (schemaErrors.some((e) => BLOCKING_KEYWORDS.has(e.keyword))) {
        findings.push({ ruleId: CRD_VALIDATION_RULE_ID, resource, path: '', message: "the CRD's validation rules were not checked because the object has the schema errors above; correct them and validate again" });
      } else {
        findings.push(...celRulesFor(entry.file).evaluate(obj, resource));
      }
    }
    return findings;
  }
}

/** Where a validated object goes. */
export interface ValidateOptions {
  /**
   * Whether the object is applied to the cluster. An IstioOperator that is not applied (or whose destination is not
   * known) is checked as an input for `istioctl install -f` against the last operator CRD, also on Istio lines that
   * no longer serve it (1.24+); an applied one must be served by the target's own line.
   * @default - not known
   */
  readonly applyToCluster?: boolean;
}

/**
 * The schema entry of a kind on a product line. Calico's public API `projectcalico.org/v3` is served by the Calico API
 * server (in operator installs by default since 3.20) or applied with calicoctl, over the `crd.projectcalico.org/v1`
 * storage CRDs of the same spec (version-facts: "projectcalico.org/v3 is the public API"); on a line whose only CRDs
 * are the storage ones, a v3 object is checked against them (`schemaApiVersion`).
 */
function servedEntry(product: Product, line: string, apiVersion: string, kind: string): { entry: SchemaEntry; schemaApiVersion?: string } | undefined {
  const kinds = getIndex()[product][line]?.kinds;
  if (!kinds) return undefined;
  const entry = kinds[`${apiVersion} ${kind}`];
  if (entry) return { entry };
  if (product === Product.CALICO && apiVersion === CALICO_PUBLIC_API) {
    const storage = kinds[`${CALICO_STORAGE_API} ${kind}`];
    if (storage) return { entry: storage, schemaApiVersion: CALICO_STORAGE_API };
  }
  return undefined;
}
const CALICO_PUBLIC_API = 'projectcalico.org/v3';
const CALICO_STORAGE_API = 'crd.projectcalico.org/v1';

// ---- IstioOperator as an istioctl input ----
const ISTIO_OPERATOR = 'install.istio.io/v1alpha1 IstioOperator';
/** The last Istio line that shipped the IstioOperator CRD (upstream/crds/istio/1.23.6/crd-operator.yaml). */
const ISTIOCTL_INPUT_LINE = '1.23';

function istioctlInputEntry(): SchemaEntry | undefined {
  return getIndex()[Product.ISTIO][ISTIOCTL_INPUT_LINE]?.kinds[ISTIO_OPERATOR];
}

// ---- end of the IstioOperator part ----

/**
 * Schema errors after which the API server does not evaluate CEL rules: a wrong type, a missing required field, a
 * value outside an enum, and too long strings, lists or maps (field.ErrorTypeTypeInvalid, Required, NotSupported,
 * TooLong, TooMany).
 */
const BLOCKING_KEYWORDS = new Set(['type', 'required', 'enum', 'maxLength', 'maxItems', 'maxProperties']);

/** An ajv error to report, with the branch errors of a combinator folded into it (see `collapseCombinators`). */
interface CollapsedError {
  readonly error: ErrorObject;
  readonly branches?: readonly ErrorObject[];
}

/**
 * Drops the per-branch errors of a failed anyOf/oneOf: the combinator's own error says it in one line. Branch errors
 * are those under the combinator's schema path, or (kubernetes-models' validators restart schema paths in every
 * shared definition) those at the same field that precede it; the second kind go with the combinator as `branches`,
 * so that its message can say what each form expects ("expected number or format 'quantity'").
 */
function collapseCombinators(errors: readonly ErrorObject[]): CollapsedError[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const dropped = new Set<ErrorObject>();
  const folded = new Map<ErrorObject, ErrorObject[]>();
  for (const c of combinators) {
    const branches: ErrorObject[] = [];
    for (const e of errors) {
      if (e === c || combinators.includes(e)) continue;
      if (e.schemaPath.startsWith(`${c.schemaPath}/`)) dropped.add(e);
      else if (e.instancePath === c.instancePath && errors.indexOf(e) < errors.indexOf(c) && /^#\/[^/]+$/.test(e.schemaPath)) {
        dropped.add(e);
        branches.push(e);
      }
    }
    if (branches.length) folded.set(c, branches);
  }
  return errors.filter((e) => !dropped.has(e)).map((error) => ({ error, ...(folded.has(error) ? { branches: folded.get(error) } : {}) }));
}

/** The value at a JSON pointer (`/spec/egress/0`) inside `root`; undefined when the path leaves the document. */
function valueAtPointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}
