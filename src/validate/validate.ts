import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { NetsecError, SourceLocation, echo, escapeControls, formatLocation } from '../core/errors.js';
import { Target } from '../core/target.js';
import { ResourceRef, describeResource, refOf } from '../core/validation/finding.js';
import { ManifestValidator } from '../core/validation/manifest-validator.js';
import { LintFinding, describeUnjudged, lint } from '../lint/lint.js';
import { KubeObject, Manifest, ManifestIndex } from '../lint/manifest-index.js';
import { Severity } from '../lint/rule.js';
import { RULES } from '../lint/rules/index.js';
import { Suppression } from '../lint/suppressions.js';
import { ManifestDocument, defaultNamespace, notAnObject, parseManifestDocuments, withMetadata } from './documents.js';
import { STDIN_PATH, collectManifestFiles } from './files.js';
import { readFailureReason } from '../core/system-error.js';
import { decodeYamlFile, notTextMessage } from '../core/text-input.js';

/** How findings name standard input. */
const STDIN_NAME = '<stdin>';
import { checkHelmValues, helmReleaseOfFile } from './helm-values.js';
import { KustomizationNamespace, checkKustomization, isKustomization, kustomizationNamespace } from './kustomization.js';
import { suppressionsFromOutputHeader } from './output-header.js';
import { SUPPRESS_ANNOTATION_PATH, parseSuppressAnnotation } from './suppress-annotation.js';

/** The folder of netsec synth's output that holds inputs for other tools, not applied to the cluster. */
export const NOT_APPLIED_FOLDER = 'not-applied';

/** What `validateManifests` checks, and how. */
export interface ValidateManifestsOptions {
  /** Files and folders, as the user named them (folders are walked for `.yaml`/`.yml` files). */
  readonly paths: readonly string[];
  /** The cluster the manifests are for: its version lines pick the schemas and the lint rules. */
  readonly target: Target;
  /** The namespace of namespaced objects without `metadata.namespace` (kubectl's `-n`). @default 'default' */
  readonly namespace?: string;
  /**
   * Standard input, read when `paths` holds `-` (the caller reads it: this function does no I/O on streams). Bytes are
   * checked as files are (UTF-8 text, `decodeYamlFile`); a string is taken as the text.
   */
  readonly stdin?: string | Uint8Array;
}

/** One problem in one manifest, at its field. */
export interface ValidateFinding {
  /** The lint rule (`cilium/fqdn-without-dns-visibility`) or `k8s/crd-validation-rule`; undefined for a schema or YAML finding. */
  readonly ruleId?: string;
  readonly severity: Severity;
  /** `file:line:col` of the field the finding is about (of the object or document when there is no field). */
  readonly location: SourceLocation;
  /** Dotted path inside the object (`spec.egress[0].toPorts`); '' for the object or document as a whole. */
  readonly path: string;
  /** The object, when the finding is about one. */
  readonly object?: ResourceRef;
  /** What was found; what was expected; how to fix it. Without location, object and rule id. */
  readonly message: string;
}

/** A finding accepted by a `netsec.io/suppress` annotation. */
export interface SuppressedValidateFinding extends ValidateFinding {
  readonly reason: string;
}

/** Something the user should know that is not a problem (a namespace that was assumed, a file not checked). */
export interface ValidateNote {
  readonly location?: SourceLocation;
  readonly message: string;
}

/** What `validateManifests` found. */
export interface ValidateReport {
  readonly target: Target;
  /** Files read. */
  readonly files: number;
  /** Kubernetes objects checked. */
  readonly objects: number;
  /** In the order of the files, then by line and column, so the report reads top to bottom like the files. */
  readonly findings: ValidateFinding[];
  readonly suppressed: SuppressedValidateFinding[];
  readonly notes: ValidateNote[];
}

/** A Kubernetes object read from a file. */
interface ReadObject {
  readonly doc: ManifestDocument;
  readonly object: Record<string, unknown>;
  readonly manifest: Manifest;
  /** The text of its file (a netsec output file's header lists the suppressions synth applied). */
  readonly text: string;
}

/**
 * `netsec validate`: reads manifests from files and folders and checks them as `netsec synth` checks its own output:
 * the upstream schemas (and CRD CEL rules) of the target's version lines, then the lint rules over all objects of
 * the target together. Every finding is placed at its field's `file:line:col`.
 */
export function validateManifests(options: ValidateManifestsOptions): ValidateReport {
  const namespace = options.namespace ?? 'default';
  const { files, skippedLinks } = collectManifestFiles(options.paths);
  const validator = new ManifestValidator(options.target);
  const findings: ValidateFinding[] = [];
  const notes: ValidateNote[] = skippedLinks.map((link) => ({ location: { file: echo(link) }, message: 'symbolic link not followed (it may leave the folder or loop); name its target to check it' }));
  const read: ReadObject[] = [];
  /** The Helm values files read, by release: rules judge objects together with them (e.g. hubble/configmap-wiring). */
  const helmValues = new Map<string, Record<string, unknown>>();
  const defaulted: ReadObject[] = [];
  /** Objects read, before their namespace is decided. */
  const pending: { doc: ManifestDocument; object: Record<string, unknown>; applied: boolean; text: string; path?: string }[] = [];
  /** The kustomizations read that set a namespace, with where they set it. */
  const kustomizeScopes: (KustomizationNamespace & { readonly location: SourceLocation })[] = [];

  for (const file of files) {
    const fromStdin = file === STDIN_PATH;
    const name = fromStdin ? STDIN_NAME : escapeControls(file);
    let text: string;
    try {
      const decoded = fromStdin ? (typeof options.stdin === 'string' ? { text: options.stdin } : decodeYamlFile(Buffer.from(options.stdin ?? []))) : decodeYamlFile(readFileSync(file));
      if ('notText' in decoded) {
        const { line, column } = decoded.notText;
        findings.push({ severity: Severity.ERROR, location: { file: name, line, column }, path: '', message: notTextMessage('the file', decoded.notText, 'a YAML file') });
        continue;
      }
      text = decoded.text;
    } catch (err) {
      throw new NetsecError('USAGE', `cannot read this file (${readFailureReason(err)}); expected a readable YAML file`, { file: name });
    }
    const release = fromStdin ? undefined : helmReleaseOfFile(file);
    // netsec synth writes inputs for other tools under not-applied/ (an IstioOperator for istioctl): synth checks them
    // as such (applyToCluster: false), and so does validate.
    const applied = !file.split(/[\\/]/).includes(NOT_APPLIED_FOLDER);
    for (const doc of parseManifestDocuments(text, name)) {
      if (doc.error) {
        findings.push({ severity: Severity.ERROR, location: doc.error.location, path: '', message: doc.error.message });
        continue;
      }
      if (release !== undefined) {
        // `<release>-values.yaml`: Helm values, as netsec synth writes them beside the manifests.
        const checked = checkHelmValues(release, doc.value, options.target);
        if (isPlainObject(doc.value)) helmValues.set(release, mergeValues(helmValues.get(release) ?? {}, doc.value));
        for (const p of checked.problems) findings.push({ severity: Severity.ERROR, location: doc.locate(p.path), path: p.path, message: p.message });
        if (checked.note) notes.push({ location: doc.location, message: checked.note });
        continue;
      }
      if (isKustomization(doc.value)) {
        for (const p of checkKustomization(doc.value as Record<string, unknown>, file)) {
          findings.push({ severity: Severity.ERROR, location: doc.locate(p.path), path: p.path, message: p.message });
        }
        const scope = fromStdin ? undefined : kustomizationNamespace(doc.value as Record<string, unknown>, file);
        if (scope) kustomizeScopes.push({ ...scope, location: doc.locate('namespace') });
        continue;
      }
      const notObject = notAnObject(doc.value);
      if (notObject) {
        findings.push({ severity: Severity.ERROR, location: doc.location, path: '', message: notObject });
        continue;
      }
      const object = doc.value as Record<string, unknown>;
      pending.push({ doc, object, applied, text, path: fromStdin ? undefined : resolve(file) });
    }
  }
  // Second pass: a kustomization.yaml may come after the files it lists (name order), and its namespace: decides theirs.
  const byScope = new Map<(typeof kustomizeScopes)[number], number>();
  for (const { doc, object, applied, text, path } of pending) {
    const scope = path === undefined ? undefined : kustomizeScopes.filter((k) => k.resources.some((r) => path === r || path.startsWith(r + sep))).sort((a, b) => a.folder.length - b.folder.length)[0];
    let withNamespace = object;
    if (scope && validator.scopeOf(String(object.apiVersion), String(object.kind)) === 'Namespaced') {
      withNamespace = withMetadata(object, { namespace: scope.namespace });
      byScope.set(scope, (byScope.get(scope) ?? 0) + 1);
    } else if (!scope) {
      withNamespace = defaultNamespace(object, namespace, validator);
    }
    const manifest: Manifest = { object: withNamespace, location: doc.location, applied };
    const entry = { doc, object: withNamespace, manifest, text };
    if (!scope && withNamespace !== object) defaulted.push(entry);
    read.push(entry);
  }
  for (const [scope, count] of byScope) {
    notes.push({
      location: scope.location,
      message: `${count} namespaced object${count === 1 ? '' : 's'} in the resources of this kustomization checked in its namespace '${echo(scope.namespace)}' (kustomize sets it on every namespaced object it builds)`,
    });
  }
  if (defaulted.length) {
    const first = defaulted[0]!;
    notes.push({
      message: `${defaulted.length} namespaced object${defaulted.length === 1 ? ' has' : 's have'} no metadata.namespace (the first: ${describeResource(refOf(first.doc.value as Record<string, unknown>))} at ${formatLocation(first.doc.location)}); checked in namespace '${echo(namespace)}', as 'kubectl apply' places them without -n; name another with --namespace`,
    });
  }

  const unchecked = new Map<string, ReadObject[]>();
  read.forEach((entry, i) => {
    const { doc, object, manifest } = entry;
    const apiVersion = String(object.apiVersion ?? '');
    const kind = String(object.kind ?? '');
    let problems = 0;
    if (!validator.hasSchema(apiVersion, kind)) {
      // Not an error: a cluster serves many kinds netsec knows nothing about (cert-manager, Argo CD, ...).
      const key = `${apiVersion} ${kind}`;
      const list = unchecked.get(key);
      if (list) list.push(entry);
      else unchecked.set(key, [entry]);
      problems++;
    } else {
      for (const f of validator.validate(object, { applyToCluster: manifest.applied })) {
        findings.push({ ...(f.ruleId ? { ruleId: f.ruleId } : {}), severity: Severity.ERROR, location: doc.locate(f.path), path: f.path, object: f.resource, message: f.message });
        problems++;
      }
    }
    // The lint rules read fields as the schema types them; `lint` leaves this object out of a rule it makes fail.
    if (problems > 0) read[i] = { ...entry, manifest: { ...manifest, outsideSchema: true } };
  });

  for (const [key, entries] of unchecked) {
    const more = entries.length > 1 ? ` (and ${entries.length - 1} more object${entries.length === 2 ? '' : 's'} of this kind)` : '';
    notes.push({ location: entries[0]!.doc.location, message: `${echo(key)} not checked: netsec has no schema for it${more}; the lint rules still see it` });
  }

  const suppressionsOf = new Map<Manifest, Suppression[]>();
  const fromHeaders = new Map<KubeObject, Suppression[]>();
  const objectsByText = new Map<string, KubeObject[]>();
  for (const r of read) {
    const list = objectsByText.get(r.text);
    if (list) list.push(r.object);
    else objectsByText.set(r.text, [r.object]);
  }
  for (const [text, objects] of objectsByText) {
    for (const [object, list] of suppressionsFromOutputHeader(text, objects)) fromHeaders.set(object, list);
  }
  for (const { doc, object, manifest } of read) {
    const parsed = parseSuppressAnnotation(object, RULES);
    suppressionsOf.set(manifest, [...parsed.suppressions, ...(fromHeaders.get(object) ?? [])]);
    for (const message of parsed.problems) {
      findings.push({ severity: Severity.ERROR, location: doc.locate(SUPPRESS_ANNOTATION_PATH), path: SUPPRESS_ANNOTATION_PATH, object: refOf(object), message });
    }
  }

  const byLocation = new Map(read.map((r) => [formatLocation(r.doc.location), r.doc]));
  const linted = lint(new ManifestIndex(options.target, read.map((r) => r.manifest), helmValues.size ? { helmValues } : {}), { suppressionsOf: (m) => suppressionsOf.get(m) ?? [] });
  const fromLint = (f: LintFinding): ValidateFinding => {
    const doc = f.location ? byLocation.get(formatLocation(f.location)) : undefined;
    const object = { apiVersion: '', kind: f.object.kind, name: f.object.name, ...(f.object.namespace ? { namespace: f.object.namespace } : {}) };
    return {
      ruleId: f.ruleId,
      severity: f.severity,
      location: doc ? doc.locate(f.path) : f.location!,
      path: f.path,
      object,
      message: f.detail,
    };
  };
  findings.push(...linted.findings.map(fromLint));
  for (const u of linted.unjudged) notes.push({ ...(u.objects[0]!.location ? { location: u.objects[0]!.location } : {}), message: describeUnjudged(u) });
  const suppressed = linted.suppressed.map((f) => ({ ...fromLint(f), reason: f.reason }));
  const order = files.map((f) => (f === STDIN_PATH ? STDIN_NAME : escapeControls(f)));
  return { target: options.target, files: files.length, objects: read.length, findings: sortFindings(findings, order), suppressed: sortFindings(suppressed, order), notes };
}

/** Findings in the order of the files given, then by line and column (stable for findings at one place). */
function sortFindings<F extends ValidateFinding>(findings: F[], files: readonly string[]): F[] {
  const fileOrder = new Map(files.map((f, i) => [f, i]));
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) =>
      (fileOrder.get(a.f.location.file) ?? -1) - (fileOrder.get(b.f.location.file) ?? -1) ||
      (a.f.location.line ?? 0) - (b.f.location.line ?? 0) ||
      (a.f.location.column ?? 0) - (b.f.location.column ?? 0) ||
      a.i - b.i,
    )
    .map(({ f }) => f);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** `from` merged into a copy of `into`, maps key by key (as Helm merges several -f files; the later value wins). */
function mergeValues(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...into };
  for (const [k, v] of Object.entries(from)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeValues(out[k] as Record<string, unknown>, v) : v;
  return out;
}
