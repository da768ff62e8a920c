import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { echo } from '../core/errors.js';

/** Whether a document is a kustomize Kustomization (`kustomization.yaml`), which is kustomize's input, not an object. */
export function isKustomization(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
  return kind === 'Kustomization' && typeof apiVersion === 'string' && apiVersion.startsWith('kustomize.config.k8s.io/');
}

/** One problem in a Kustomization: the dotted path of the entry and the message. */
export interface KustomizationProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Checks that every local entry of a Kustomization's `resources` exists beside it (a file or folder relative to the
 * kustomization file, as kustomize resolves it): a missing one makes `kustomize build` and Argo CD or Flux fail the
 * whole sync. Remote entries (URLs, `github.com/...`) are not fetched.
 */
export function checkKustomization(value: Record<string, unknown>, file: string): KustomizationProblem[] {
  const resources = value.resources;
  if (resources === undefined) return [];
  if (!Array.isArray(resources)) return [{ path: 'resources', message: `expected a list of files and folders, found ${resources === null ? 'null' : typeof resources}` }];
  const problems: KustomizationProblem[] = [];
  resources.forEach((entry, i) => {
    const path = `resources[${i}]`;
    if (typeof entry !== 'string' || entry === '') {
      problems.push({ path, message: 'expected a file or folder name' });
    } else if (!isRemote(entry) && !existsSync(join(dirname(file), entry))) {
      problems.push({ path, message: `'${echo(entry)}' does not exist beside this kustomization file; kustomize, Argo CD and Flux would fail the whole build. Fix the name, or run 'netsec synth' again if netsec wrote this folder` });
    }
  });
  return problems;
}

/** kustomize's remote targets: a URL, or a `host/org/repo` git reference. */
function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) || entry.includes('?ref=') || entry.startsWith('git@');
}

/** The namespace a Kustomization sets (`namespace:`) and the local files and folders it sets it on (absolute paths). */
export interface KustomizationNamespace {
  readonly namespace: string;
  /** The kustomization file's folder (absolute): with nested kustomizations, the outermost one's namespace wins. */
  readonly folder: string;
  readonly resources: readonly string[];
}

/**
 * What a Kustomization's `namespace:` field does to the objects of its resources: kustomize sets it on every namespaced
 * object, replacing a namespace the object names ("Will override the existing namespace if it is set on a resource, or
 * add it if it is not set"; kubectl.docs.kubernetes.io, kustomization/namespace). Undefined without the field.
 */
export function kustomizationNamespace(value: Record<string, unknown>, file: string): KustomizationNamespace | undefined {
  const { namespace, resources } = value;
  if (typeof namespace !== 'string' || namespace === '') return undefined;
  const folder = resolve(dirname(file));
  const local = Array.isArray(resources) ? resources.filter((r): r is string => typeof r === 'string' && r !== '' && !isRemote(r)) : [];
  return { namespace, folder, resources: local.map((r) => resolve(folder, r)) };
}
