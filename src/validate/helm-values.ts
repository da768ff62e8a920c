import { closestMatch } from 'leven';
import { echo } from '../core/errors.js';
import { Feature } from '../core/features.js';
import { Target } from '../core/target.js';
import { PRODUCT_NAMES, Product } from '../core/versions.js';
import { own } from '../core/own.js';

/** The type of a chart value, from its default in the chart's values.yaml ('any' where the default is null). */
export type HelmValueType = 'boolean' | 'number' | 'string' | 'array' | 'object' | 'any';

/** Values of every Cilium line's chart that the vendored excerpts give (upstream/reference/cilium-helm-values/<line>.yaml). */
const CILIUM_BASE: Record<string, HelmValueType> = {
  'hubble.enabled': 'boolean',
  'hubble.export.static.enabled': 'boolean',
  'hubble.export.static.filePath': 'string',
  'hubble.export.static.fieldMask': 'array',
  'hubble.export.static.allowList': 'array',
  'hubble.export.static.denyList': 'array',
  'hubble.export.dynamic.enabled': 'boolean',
  'hubble.export.dynamic.config.configMapName': 'string',
  'hubble.export.dynamic.config.createConfigMap': 'boolean',
  'hubble.export.dynamic.config.content': 'array',
  l7Proxy: 'boolean',
  localRedirectPolicy: 'boolean',
  'dnsProxy.socketLingerTimeout': 'number',
  'dnsProxy.dnsRejectResponseCode': 'string',
  'dnsProxy.enableDnsCompression': 'boolean',
  'dnsProxy.endpointMaxIpPerHostname': 'number',
  'dnsProxy.idleConnectionGracePeriod': 'string',
  'dnsProxy.maxDeferredConnectionDeletes': 'number',
  'dnsProxy.minTtl': 'number',
  'dnsProxy.preCache': 'string',
  'dnsProxy.proxyPort': 'number',
  'dnsProxy.proxyResponseMaxDelay': 'string',
};
const ROTATION_UNDER_EXPORT: Record<string, HelmValueType> = { 'hubble.export.fileMaxSizeMb': 'number', 'hubble.export.fileMaxBackups': 'number' };
const ROTATION_UNDER_STATIC: Record<string, HelmValueType> = {
  'hubble.export.static.fileMaxSizeMb': 'number',
  'hubble.export.static.fileMaxBackups': 'number',
  'hubble.export.static.fileCompress': 'boolean',
};
const LRP_POLICIES: Record<string, HelmValueType> = { 'localRedirectPolicies.enabled': 'boolean', 'localRedirectPolicies.addressMatcherCIDRs': 'any' };
const AGGREGATION: Record<string, HelmValueType> = { 'hubble.export.static.fieldAggregate': 'array', 'hubble.export.static.aggregationInterval': 'string' };
const STANDALONE_DNS_PROXY: Record<string, HelmValueType> = {
  'standaloneDnsProxy.enabled': 'boolean',
  'standaloneDnsProxy.rollOutPods': 'boolean',
  'standaloneDnsProxy.annotations': 'object',
  'standaloneDnsProxy.debug': 'boolean',
  'standaloneDnsProxy.serverPort': 'number',
  // A map of node labels: its keys are the user's.
  'standaloneDnsProxy.nodeSelector': 'object',
  'standaloneDnsProxy.tolerations': 'array',
  'standaloneDnsProxy.automountServiceAccountToken': 'boolean',
  'standaloneDnsProxy.updateStrategy.type': 'string',
  'standaloneDnsProxy.updateStrategy.rollingUpdate.maxSurge': 'number',
  'standaloneDnsProxy.updateStrategy.rollingUpdate.maxUnavailable': 'number',
  'standaloneDnsProxy.image.override': 'any',
  'standaloneDnsProxy.image.repository': 'string',
  'standaloneDnsProxy.image.tag': 'string',
  'standaloneDnsProxy.image.digest': 'string',
  'standaloneDnsProxy.image.useDigest': 'boolean',
  'standaloneDnsProxy.image.pullPolicy': 'string',
};
const PRECACHE: Record<string, HelmValueType> = { 'preflight.tofqdnsPreCache': 'string' };

/**
 * The Cilium chart values netsec knows per line, from the vendored excerpts of each line's newest chart (hubble.enabled,
 * hubble.export, l7Proxy, localRedirectPolicy(ies), dnsProxy, standaloneDnsProxy, preflight.tofqdnsPreCache);
 * test/validate/helm-values.test.ts derives the same table from the excerpts, so the two cannot drift.
 */
export const CILIUM_CHART_VALUES: Readonly<Record<string, Readonly<Record<string, HelmValueType>>>> = {
  '1.16': { ...CILIUM_BASE, ...ROTATION_UNDER_EXPORT, ...PRECACHE },
  '1.17': { ...CILIUM_BASE, ...ROTATION_UNDER_EXPORT, ...PRECACHE },
  '1.18': { ...CILIUM_BASE, ...ROTATION_UNDER_STATIC, ...LRP_POLICIES, ...PRECACHE, 'dnsProxy.preAllocateIdentities': 'boolean' },
  '1.19': { ...CILIUM_BASE, ...AGGREGATION, ...ROTATION_UNDER_STATIC, ...LRP_POLICIES, ...PRECACHE, 'dnsProxy.preAllocateIdentities': 'boolean', ...STANDALONE_DNS_PROXY },
  '1.20': { ...CILIUM_BASE, ...AGGREGATION, ...ROTATION_UNDER_STATIC, ...LRP_POLICIES, 'dnsProxy.preAllocateIdentities': 'boolean', ...STANDALONE_DNS_PROXY, 'standaloneDnsProxy.minReadySeconds': 'number' },
};

/**
 * The istiod chart values netsec writes (IstioMeshSettings): the only ones a netsec-written istiod-values.yaml holds.
 * netsec vendors no istiod chart, so nothing else about that chart is checked.
 */
const ISTIOD_VALUES: Record<string, HelmValueType> = {
  'pilot.env.PILOT_ENABLE_STATUS': 'boolean',
  // true, false or 'auto' (Istio 1.27+).
  'pilot.env.ENABLE_NATIVE_SIDECARS': 'any',
  'sidecarInjectorWebhook.rewriteAppHTTPProbe': 'boolean',
};

/** The Helm release a file holds values for, by netsec's naming (`<release>-values.yaml`), or undefined. */
export function helmReleaseOfFile(file: string): string | undefined {
  return /(?:^|[\\/])([^\\/]+)-values\.ya?ml$/i.exec(file)?.[1];
}

/** One problem in a Helm values file: the dotted path of the value ('' for the file) and the message. */
export interface HelmValuesProblem {
  readonly path: string;
  readonly message: string;
}

/** What checking a values file gave: problems, or a note saying why it was not checked. */
export interface HelmValuesCheck {
  readonly problems: HelmValuesProblem[];
  readonly note?: string;
}

/**
 * Checks a Helm values file netsec writes (`dist/<target>/<release>-values.yaml`) for the target: every value must be
 * one the chart of the target's line reads (where the vendored excerpts give the chart's keys) and have the type of
 * the chart's default; a top-level key netsec never writes is refused with the file it is in, as a hand edit of
 * netsec's output (it belongs in the user's own values file, which `helm upgrade -f` merges with this one).
 */
export function checkHelmValues(release: string, values: unknown, target: Target): HelmValuesCheck {
  let known: Record<string, HelmValueType>;
  let chart: string;
  if (release === 'cilium') {
    const version = target.version(Product.CILIUM);
    if (!version) {
      return { problems: [{ path: '', message: `Helm values for the cilium chart, but target '${target.name}' names no ${PRODUCT_NAMES[Product.CILIUM]} version; validate with --cilium LINE or a --target that runs Cilium` }] };
    }
    const table = CILIUM_CHART_VALUES[version.line];
    if (!table) return { problems: [], note: `Helm values for Cilium ${version.line} not checked: netsec has no chart values for that line` };
    known = { ...table, ...(target.has(Feature.CILIUM_NON_DEFAULT_DENY_POLICIES_FLAG) ? { enableNonDefaultDenyPolicies: 'boolean' as const } : {}) };
    chart = `the Cilium ${version.line} chart`;
  } else if (release === 'istiod') {
    if (!target.version(Product.ISTIO)) {
      return { problems: [{ path: '', message: `Helm values for the istiod chart, but target '${target.name}' names no ${PRODUCT_NAMES[Product.ISTIO]} version; validate with --istio LINE or a --target that runs Istio` }] };
    }
    known = ISTIOD_VALUES;
    chart = 'the istiod chart';
  } else {
    return { problems: [], note: `Helm values for release '${echo(release)}' not checked: netsec writes values for the cilium and istiod releases only` };
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    return { problems: [{ path: '', message: `expected Helm values (a map of keys), found ${Array.isArray(values) ? 'a list' : typeof values}` }] };
  }
  const problems: HelmValuesProblem[] = [];
  const paths = Object.keys(known);
  const topLevel = [...new Set(paths.map((p) => p.split('.')[0]!))];
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const type = own(known, path);
      if (type !== undefined) {
        if (!hasType(value, type)) problems.push({ path, message: `is ${describe(value)}; ${chart} expects ${article(type)}` });
        continue;
      }
      if (paths.some((p) => p.startsWith(`${path}.`))) {
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) walk(value as Record<string, unknown>, path);
        else problems.push({ path, message: `is ${describe(value)}; ${chart} expects a map here (keys: ${childrenOf(paths, path).join(', ')})` });
        continue;
      }
      if (!prefix) {
        problems.push({ path, message: `is not a Helm value netsec writes for ${chart}; expected one of: ${topLevel.join(', ')}; this file is netsec's output: set other values in your own values file (helm upgrade -f yours.yaml -f this one)` });
        continue;
      }
      const near = closestMatch(path, paths);
      problems.push({ path, message: `is not a value of ${chart}; expected one of: ${childrenOf(paths, prefix).join(', ')} under ${prefix}${near ? `; did you mean '${near}'?` : ''}` });
    }
  };
  walk(values as Record<string, unknown>, '');
  return { problems };
}

/** The next key after `prefix.` of every known path under it, once each. */
function childrenOf(paths: readonly string[], prefix: string): string[] {
  return [...new Set(paths.filter((p) => p.startsWith(`${prefix}.`)).map((p) => p.slice(prefix.length + 1).split('.')[0]!))];
}

function hasType(value: unknown, type: HelmValueType): boolean {
  switch (type) {
    case 'any':
      return true;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${JSON.stringify(value).slice(0, 80)} (a ${typeof value})`;
}

function article(type: HelmValueType): string {
  return type === 'array' ? 'a list' : type === 'object' ? 'a map' : `a ${type}`;
}
