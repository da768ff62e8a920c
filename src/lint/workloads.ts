import { Manifest } from './manifest-index.js';

/** Kinds whose objects run pods: a Pod itself, or a controller with a pod template (`spec.template`). */
export const WORKLOAD_KINDS = ['DaemonSet', 'Deployment', 'StatefulSet', 'ReplicaSet', 'Pod'] as const;

type ContainerPort = { containerPort?: number; name?: string; protocol?: string };
/** The container fields the rules read. */
export type Container = { name?: string; image?: string; args?: string[]; command?: string[]; ports?: ContainerPort[] };
/** The pod spec fields the rules read. */
export type PodSpec = { hostNetwork?: boolean; containers?: Container[] };

/** A workload's pods as its object describes them: their metadata and spec, and where each sits in the object. */
export interface PodTemplate {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, unknown>;
  /** `metadata` for a Pod, `spec.template.metadata` for a controller. */
  readonly metadataPath: string;
  readonly spec: PodSpec;
  /** `spec` for a Pod, `spec.template.spec` for a controller. */
  readonly specPath: string;
}

/** The pods of a workload object (one of `WORKLOAD_KINDS`); missing parts are empty. */
export function podTemplateOf(m: Manifest): PodTemplate {
  const isPod = m.object.kind === 'Pod';
  const holder = (isPod ? m.object : (m.object.spec as { template?: unknown } | undefined)?.template) as { metadata?: unknown; spec?: unknown } | undefined;
  const metadata = (isObject(holder?.metadata) ? holder!.metadata : {}) as { labels?: unknown; annotations?: unknown };
  return {
    labels: (isObject(metadata.labels) ? metadata.labels : {}) as Record<string, string>,
    annotations: isObject(metadata.annotations) ? metadata.annotations : {},
    metadataPath: isPod ? 'metadata' : 'spec.template.metadata',
    spec: (isObject(holder?.spec) ? holder!.spec : {}) as PodSpec,
    specPath: isPod ? 'spec' : 'spec.template.spec',
  };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
