import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { MAX_ALIAS_COUNT } from '../config/load.js';
import { NetsecError, escapeControls } from '../core/errors.js';
import { KubeObject } from './cilium.js';

/**
 * Reads every object of YAML files and folders (folders recursively, `.yaml`/`.yml` in name order). Documents that are
 * not Kubernetes objects (a kustomization.yaml, empty documents) are skipped; broken YAML is a located error.
 * `shownFrom` is the folder paths are shown relative to.
 */
export function readManifestPaths(paths: readonly string[], shownFrom: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const p of paths) {
    const shown = escapeControls(relative(shownFrom, p) || p);
    let stat;
    try {
      stat = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new NetsecError('CONFIG', `cannot read the manifests '${shown}' (${code === 'ENOENT' ? 'no such file or folder' : code ?? String(err)}); expected a YAML file or a folder of them; fix the path in manifests (relative to the scenario file)`);
    }
    const files = stat.isDirectory() ? yamlFilesUnder(p) : [p];
    for (const f of files) out.push(...parseManifests(readFileSync(f, 'utf8'), escapeControls(relative(shownFrom, f) || f)));
  }
  return out;
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

/** The Kubernetes objects of one YAML text (multi-document). */
export function parseManifests(text: string, file: string): KubeObject[] {
  const lines = new LineCounter();
  const out: KubeObject[] = [];
  // logLevel 'error': the yaml library would print its warnings (which quote the input) past netsec's renderer.
  for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, logLevel: 'error' })) {
    if (doc.errors.length) {
      const pos = lines.linePos(doc.errors[0]!.pos[0]);
      throw new NetsecError('CONFIG', `invalid YAML: ${escapeControls(doc.errors[0]!.message.split('\n')[0]!)}`, { file, line: pos.line, column: pos.col });
    }
    const obj = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue;
    const o = obj as Partial<KubeObject>;
    if (typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') continue;
    if (o.kind === 'List' && Array.isArray((obj as any).items)) out.push(...((obj as any).items as KubeObject[]));
    else out.push(o as KubeObject);
  }
  return out;
}
