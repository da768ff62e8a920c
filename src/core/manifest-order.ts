/**
 * Order in which kinds appear in an output file: what others depend on comes first, so that a plain
 * `kubectl apply -f` of one file creates a Tier before the policies in it, a ServiceAccount before its DaemonSet,
 * and CIDR groups before the policies that reference them (as Helm's install order does).
 */
const KIND_ORDER = [
  'Namespace',
  'PriorityClass',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Tier',
  'CiliumCIDRGroup',
  'GlobalNetworkSet',
  'NetworkSet',
  'Service',
  'DaemonSet',
  'Deployment',
  'CiliumLocalRedirectPolicy',
  'CiliumClusterwideNetworkPolicy',
  'CiliumNetworkPolicy',
  'GlobalNetworkPolicy',
  'NetworkPolicy',
  'PeerAuthentication',
  'AuthorizationPolicy',
  'IstioOperator',
];

interface Sortable {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
}

function rank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** Compares two manifests by kind order, then kind, apiVersion, namespace and name: a total order, so output never depends on construct order. */
export function compareManifests(a: Sortable, b: Sortable): number {
  const ka = String(a.kind);
  const kb = String(b.kind);
  return (
    rank(ka) - rank(kb) ||
    cmp(ka, kb) ||
    cmp(String(a.apiVersion), String(b.apiVersion)) ||
    cmp(String(a.metadata?.namespace ?? ''), String(b.metadata?.namespace ?? '')) ||
    cmp(String(a.metadata?.name ?? ''), String(b.metadata?.name ?? ''))
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
