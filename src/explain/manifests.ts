import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { NetsecError, Problem, escapeControls, problemsError } from '../core/errors.js';
import { Target } from '../core/target.js';
import { describeResource, refOf } from '../core/validation/finding.js';
import { ManifestValidator } from '../core/validation/manifest-validator.js';
import { ManifestDocument, defaultNamespace, notAnObject, parseManifestDocuments, withMetadata } from '../validate/documents.js';
import { readFailureReason } from '../core/system-error.js';
import { decodeYamlFile, notTextMessage } from '../core/text-input.js';
import { CollectedFiles, collectManifestFiles } from '../validate/files.js';
import { helmReleaseOfFile } from '../validate/helm-values.js';
import { isKustomization } from '../validate/kustomization.js';
import { KubeObject } from './cilium.js';

/**
 * Reads every object of YAML files and folders for the target `target`, as `netsec validate` reads them: folders
 * recursively, `.yaml`/`.yml` files in name order; a symbolic link inside a folder is refused (it may leave the folder
 * or loop). Documents that are not Kubernetes objects (a kustomization.yaml, empty documents) are skipped; broken YAML
 * is a located error. A namespaced object without a namespace is in `default`, as
 * `kubectl apply` without `-n` puts it.
 *
 * Flows are judged against what a cluster would hold, so every object must be one its API server accepts: an object
 * that breaks its schema (a string where the CRD has a list of rules) is refused at its field, never judged as if it
 * meant something. Objects of kinds netsec has no schema for are left out: the evaluator models none of them (a
 * `CiliumNetworkPolicy` of another API group is not Cilium's).
 * `shownFrom` is the folder paths are shown relative to.
 */
export function readManifestPaths(paths: readonly string[], shownFrom: string, target: Target): KubeObject[] {
  const validator = new ManifestValidator(target);
  const out: KubeObject[] = [];
  const problems: Problem[] = [];
  const show = (path: string): string => escapeControls(relative(shownFrom, path) || path);
  for (const p of paths) {
    const fix = 'fix the path in manifests (relative to the scenario file)';
    let collected: CollectedFiles;
    try {
      collected = collectManifestFiles([p]);
    } catch (err) {
      // Worded for a scenario's manifests: the OS reason validate found (its error's cause), and where to fix the path.
      const os = err instanceof NetsecError ? err.cause : err;
      throw new NetsecError('CONFIG', `cannot read the manifests '${show(p)}' (${readFailureReason(os, { folderToo: true })}); expected a YAML file or a folder of them; ${fix}`);
    }
    // validate lists the links it does not follow; a flow judged without the objects behind one would be judged wrong.
    if (collected.skippedLinks.length) {
      throw new NetsecError('CONFIG', `the manifests '${show(p)}' hold a symbolic link, '${show(collected.skippedLinks[0]!)}', which is not followed (it may leave the folder or loop); expected files and folders; name its target in manifests`);
    }
    for (const f of collected.files) {
      let decoded: ReturnType<typeof decodeYamlFile>;
      try {
        decoded = decodeYamlFile(readFileSync(f));
      } catch (err) {
        throw new NetsecError('CONFIG', `cannot read the manifests '${show(f)}' (${readFailureReason(err)}); expected a readable YAML file; ${fix}`);
      }
      if ('notText' in decoded) {
        const { line, column } = decoded.notText;
        throw new NetsecError('CONFIG', notTextMessage('the manifests file', decoded.notText, 'a YAML file'), { file: show(f), line, column });
      }
      const text = decoded.text;
      // As netsec validate reads a folder: `<release>-values.yaml` files (synth writes them beside the manifests) and
      // kustomization files are no objects; any other document that is not an object is an error, not skipped.
      if (helmReleaseOfFile(f) !== undefined) continue;
      for (const doc of readDocuments(text, show(f))) {
        if (doc.value === undefined || isKustomization(doc.value)) continue;
        // A document with a kind is named by it (the missing apiVersion is the thing to fix); one without is no object,
        // so the path in manifests is the likelier mistake.
        const notObject = notAnObject(doc.value);
        const object = doc.value as Record<string, unknown>;
        if (notObject) {
          const hasKind = typeof object === 'object' && object !== null && typeof object.kind === 'string' && object.kind !== '';
          problems.push({ location: doc.location, message: hasKind ? `${describeResource(refOf(object))}: ${notObject}` : `${notObject}; ${fix}` });
          continue;
        }
        const { apiVersion, kind } = object as { apiVersion: string; kind: string };
        // Not a kind the evaluator models (an unknown group's 'CiliumNetworkPolicy' is not Cilium's either).
        if (!validator.hasSchema(apiVersion, kind)) continue;
        const placed = defaultNamespace(object, 'default', validator);
        for (const finding of validator.validate(placed, { applyToCluster: true })) {
          problems.push({
            location: doc.locate(finding.path),
            message: `${describeResource(finding.resource)}${finding.path ? ` at ${finding.path}` : ''}: ${finding.message}; the API server refuses this object, so no flow can be judged against it: fix it ('netsec validate' checks manifests the same way)`,
          });
        }
        out.push(namedForVerdicts(placed) as unknown as KubeObject);
      }
    }
  }
  if (problems.length) throw problemsError('CONFIG', problems, 'the manifests');
  return out;
}

/**
 * An object created with `metadata.generateName` (valid: the API server appends 5 random characters) named as verdicts
 * show it, `deny-<generated>`; other objects as they are.
 */
function namedForVerdicts(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = object.metadata as { name?: unknown; generateName?: unknown } | null | undefined;
  if (metadata === null || typeof metadata !== 'object' || (typeof metadata.name === 'string' && metadata.name !== '') || typeof metadata.generateName !== 'string') return object;
  return withMetadata(object, { name: `${metadata.generateName}<generated>` });
}

/** The documents of one YAML text; broken YAML is an error where the parser stopped. */
function readDocuments(text: string, file: string): ManifestDocument[] {
  const docs = parseManifestDocuments(text, file);
  const broken = docs.find((d) => d.error);
  if (broken) throw new NetsecError('CONFIG', escapeControls(broken.error!.message), broken.error!.location);
  return docs;
}

/**
 * The Kubernetes object of one document (a map with a kind; a List's items are documents of their own). Other documents, such as Helm values, are not objects; an object without a name is one, and
 * its schema check says what is missing.
 */
function objectsOf(doc: ManifestDocument): Record<string, unknown>[] {
  const o = doc.value as { kind?: unknown } | null | undefined;
  return o !== null && typeof o === 'object' && !Array.isArray(o) && typeof o.kind === 'string' ? [o as Record<string, unknown>] : [];
}

/** The Kubernetes objects of one YAML text netsec synthesized (multi-document; already checked by synth). */
export function parseManifests(text: string, file: string): KubeObject[] {
  return readDocuments(text, file).flatMap((doc) => objectsOf(doc).map((o) => o as unknown as KubeObject));
}
