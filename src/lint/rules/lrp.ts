import { Cidr } from '../../cidr/cidr.js';
import { Feature } from '../../core/features.js';
import { Product } from '../../core/versions.js';
import { Manifest, ManifestIndex, identityOf } from '../manifest-index.js';
import { LintRule, RuleViolation, Severity } from '../rule.js';
import { WireSelector, selectorMatches } from '../selectors.js';
import { Container, WORKLOAD_KINDS, podTemplateOf } from '../workloads.js';

/*
 * CiliumLocalRedirectPolicy and NodeLocal DNSCache (domain-notes §A.5, §B.8). Cross-object: an LRP is judged with the
 * Services, workloads and Helm values of the same target, where they are among the objects.
 */

type PortInfo = { port?: string; protocol?: string; name?: string };
type LrpSpec = {
  redirectFrontend?: {
    addressMatcher?: { ip?: string; toPorts?: PortInfo[] };
    serviceMatcher?: { serviceName?: string; namespace?: string; toPorts?: PortInfo[] };
  };
  redirectBackend?: { localEndpointSelector?: WireSelector; toPorts?: PortInfo[] };
  skipRedirectFromBackend?: boolean;
};
type ServiceSpec = { selector?: Record<string, string>; clusterIP?: string; clusterIPs?: string[]; ports?: { name?: string; port?: number; protocol?: string }[] };


function lrps(index: ManifestIndex): Manifest[] {
  return index.ofKind('CiliumLocalRedirectPolicy');
}
function specOf(m: Manifest): LrpSpec {
  return (m.object.spec && typeof m.object.spec === 'object' ? m.object.spec : {}) as LrpSpec;
}

/** The workloads of the objects whose pods an LRP's localEndpointSelector selects, in any namespace. */
function backendsOf(index: ManifestIndex, m: Manifest): Manifest[] {
  const sel = specOf(m).redirectBackend?.localEndpointSelector;
  if (!sel) return [];
  return index.ofKind(...WORKLOAD_KINDS).filter((w) => w.applied && selectorMatches(sel, podTemplateOf(w).labels));
}

function serviceOf(index: ManifestIndex, name: string | undefined, namespace: string | undefined): Manifest | undefined {
  return index.ofKind('Service').find((s) => {
    const id = identityOf(s.object);
    return id.name === name && id.namespace === namespace;
  });
}

const protocolOf = (p: { protocol?: string }) => (p.protocol ?? 'TCP').toUpperCase();

export const namespaceScope: LintRule = {
  id: 'lrp/namespace-scope',
  severity: Severity.ERROR,
  summary: "An LRP's serviceMatcher names another namespace, or its backend pods live only in another namespace.",
  explanation:
    "serviceMatcher.namespace must equal the LRP's own namespace, and the backend pods must run in that namespace (for NodeLocal " +
    'DNSCache: kube-system) (CIL pkg/k8s/apis/cilium.io/v2/clrp_types.go ServiceInfo.Namespace; local-redirect-policy.rst).',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of lrps(index)) {
      const ns = identityOf(m.object).namespace ?? 'default';
      const sm = specOf(m).redirectFrontend?.serviceMatcher;
      if (sm?.namespace !== undefined && sm.namespace !== ns) {
        out.push({ manifest: m, path: 'spec.redirectFrontend.serviceMatcher.namespace', message: `is '${sm.namespace}', but the LRP is in namespace '${ns}'; Cilium redirects only Services of the LRP's own namespace. Create the LRP in '${sm.namespace}' (with its backend pods there), or match a Service of '${ns}'.` });
      }
      const backends = backendsOf(index, m);
      if (backends.length > 0 && !backends.some((w) => (identityOf(w.object).namespace ?? 'default') === ns)) {
        const w = identityOf(backends[0].object);
        out.push({ manifest: m, path: 'spec.redirectBackend.localEndpointSelector', message: `selects pods only outside the LRP's namespace '${ns}' (${w.kind} '${w.namespace ?? 'default'}/${w.name}'); Cilium takes backends from the LRP's own namespace, so nothing is redirected. Run the backend in '${ns}' or move the LRP.` });
      }
    }
    return out;
  },
};

/** The port-list problems of one toPorts list: names required when there are several, and unique. */
function portListProblems(m: Manifest, path: string, ports: PortInfo[] | undefined): RuleViolation[] {
  if (!Array.isArray(ports) || ports.length < 2) return [];
  const out: RuleViolation[] = [];
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.name) out.push({ manifest: m, path: `${path}[${i}].name`, message: `is missing; with more than one port every port needs a name, because Cilium pairs frontend and backend ports by name. Name it (e.g. dns, dns-tcp).` });
    else if (seen.has(p.name)) out.push({ manifest: m, path: `${path}[${i}].name`, message: `'${p.name}' is used by an earlier port; port names must be unique. Rename one.` });
    if (p.name) seen.add(p.name);
  });
  return out;
}

export const portsMustBeNamedAndMatch: LintRule = {
  id: 'lrp/ports-must-be-named-and-match',
  severity: Severity.ERROR,
  summary: "LRP ports are unnamed or duplicated where there are several, frontend and backend names do not pair, or a backend port is not on the pods.",
  explanation:
    'With several ports each needs a unique name; frontend and backend ports pair by name; backend ports must exist on the selected ' +
    "pods' containers; a serviceMatcher without toPorts redirects every port of the Service (for kube-dns also metrics 9153, which " +
    'then has no backend) (CIL clrp_types.go; local-redirect-policy.rst; cilium#16906).',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of lrps(index)) {
      const spec = specOf(m);
      const ns = identityOf(m.object).namespace ?? 'default';
      const fe = spec.redirectFrontend?.serviceMatcher ?? spec.redirectFrontend?.addressMatcher;
      const fePath = spec.redirectFrontend?.serviceMatcher ? 'spec.redirectFrontend.serviceMatcher.toPorts' : 'spec.redirectFrontend.addressMatcher.toPorts';
      const be = spec.redirectBackend?.toPorts;
      out.push(...portListProblems(m, fePath, fe?.toPorts), ...portListProblems(m, 'spec.redirectBackend.toPorts', be));
      const beNames = new Set((be ?? []).map((p) => p.name).filter((n): n is string => !!n));
      if (Array.isArray(fe?.toPorts) && fe!.toPorts.length > 0 && beNames.size > 0) {
        fe!.toPorts.forEach((p, i) => {
          if (p.name && !beNames.has(p.name)) out.push({ manifest: m, path: `${fePath}[${i}].name`, message: `'${p.name}' has no backend port of that name (backend: ${[...beNames].join(', ')}); frontend and backend ports pair by name. Use the same names on both sides.` });
        });
      }
      const sm = spec.redirectFrontend?.serviceMatcher;
      const svc = sm ? serviceOf(index, sm.serviceName, sm.namespace ?? ns) : undefined;
      if (sm && svc) {
        const svcPorts = ((svc.object.spec ?? {}) as ServiceSpec).ports ?? [];
        const names = new Set(svcPorts.map((p) => p.name).filter(Boolean));
        if (Array.isArray(sm.toPorts) && sm.toPorts.length > 0) {
          sm.toPorts.forEach((p, i) => {
            if (p.name && !names.has(p.name)) out.push({ manifest: m, path: `spec.redirectFrontend.serviceMatcher.toPorts[${i}].name`, message: `'${p.name}' is not a port name of Service '${sm.namespace ?? ns}/${sm.serviceName}' (${[...names].join(', ')}). Use the Service's port names.` });
          });
        } else if (beNames.size > 0) {
          const unpaired = svcPorts.filter((p) => !p.name || !beNames.has(p.name));
          if (unpaired.length > 0) out.push({ manifest: m, path: 'spec.redirectFrontend.serviceMatcher', message: `has no toPorts, so every port of Service '${sm.namespace ?? ns}/${sm.serviceName}' is redirected, including ${unpaired.map((p) => `${p.name ?? '(unnamed)'} ${p.port}/${protocolOf(p)}`).join(', ')}, which no backend port pairs with. List the ports to redirect in serviceMatcher.toPorts.` });
        }
      }
      const backends = backendsOf(index, m);
      if (backends.length > 0 && Array.isArray(be)) {
        be.forEach((p, i) => {
          const onPods = backends.some((w) => (podTemplateOf(w).spec.containers ?? []).some((c) => (c.ports ?? []).some((cp) => String(cp.containerPort) === String(p.port) && protocolOf(cp) === protocolOf(p) && (!p.name || !cp.name || cp.name === p.name))));
          if (!onPods) out.push({ manifest: m, path: `spec.redirectBackend.toPorts[${i}]`, message: `port ${p.port}/${protocolOf(p)}${p.name ? ` '${p.name}'` : ''} is not a container port of the selected pods (${identityOf(backends[0].object).kind} '${identityOf(backends[0].object).name}'); Cilium finds no backend for it. Declare it on the container, or fix the LRP port.` });
        });
      }
    }
    return out;
  },
};

const NODE_CACHE_ARGS = ['-skipteardown=true', '-setupinterface=false', '-setupiptables=false'];
const isNodeCache = (c: Container) => /k8s-dns-node-cache|node-cache/.test(c.image ?? '') || (c.args ?? []).includes('-localip');

export const backendHostnetwork: LintRule = {
  id: 'lrp/backend-hostnetwork',
  severity: Severity.ERROR,
  summary: 'An LRP backend runs on the host network, or a node-cache backend lacks the arguments the Cilium recipe needs.',
  explanation:
    "Cilium's NodeLocal DNSCache recipe runs node-local-dns with hostNetwork: false and -skipteardown=true -setupinterface=false " +
    '-setupiptables=false; a hostNetwork backend is not reachable through the LRP from host-network pods or the node, and without ' +
    'those arguments node-cache sets up its own interface and iptables rules (CIL local-redirect-policy.rst "Node-local DNS cache", ' +
    'examples/kubernetes-local-redirect/node-local-dns.yaml; cilium#28918).',
  check(index) {
    const out: RuleViolation[] = [];
    const seen = new Set<Manifest>();
    for (const m of lrps(index)) {
      for (const w of backendsOf(index, m)) {
        if (seen.has(w)) continue;
        seen.add(w);
        const pod = podTemplateOf(w);
        if (pod.spec.hostNetwork === true) {
          out.push({ manifest: w, path: `${pod.specPath}.hostNetwork`, message: `is true, but this workload is a backend of CiliumLocalRedirectPolicy '${identityOf(m.object).name}': Cilium redirects to the pod's own address, which a hostNetwork pod does not have. Set hostNetwork: false.` });
        }
        (pod.spec.containers ?? []).forEach((c, i) => {
          if (!isNodeCache(c)) return;
          const missing = NODE_CACHE_ARGS.filter((a) => !(c.args ?? []).includes(a));
          if (missing.length > 0) out.push({ manifest: w, path: `${pod.specPath}.containers[${i}].args`, message: `lack ${missing.join(' ')}: behind a Local Redirect Policy node-cache must not set up its own interface and iptables rules (Cilium does the redirection). Add them.` });
        });
      }
    }
    return out;
  },
};

export const nodeLocalDnsNeedsUpstreamService: LintRule = {
  id: 'lrp/node-local-dns-needs-upstream-service',
  severity: Severity.ERROR,
  summary: 'An LRP redirects kube-dns to NodeLocal DNSCache, which then has no way to reach CoreDNS except through itself.',
  explanation:
    "The LRP also redirects the cache's own queries to the kube-dns ClusterIP back to the cache. The recipe avoids the loop with a " +
    'kube-dns-upstream Service (selecting the CoreDNS pods) and node-cache -upstreamsvc kube-dns-upstream; from Cilium 1.16 ' +
    'skipRedirectFromBackend: true is the alternative (kernel 5.12+) (CIL examples/kubernetes-local-redirect/node-local-dns.yaml; ' +
    'local-redirect-policy.rst "Advanced configurations"; cilium#20055). Judged from the objects given.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of lrps(index)) {
      const spec = specOf(m);
      const sm = spec.redirectFrontend?.serviceMatcher;
      if (!sm || sm.serviceName !== 'kube-dns' || spec.skipRedirectFromBackend === true) continue;
      const ns = sm.namespace ?? identityOf(m.object).namespace ?? 'default';
      const upstreamService = index.ofKind('Service').some((s) => {
        const id = identityOf(s.object);
        return id.name !== 'kube-dns' && id.namespace === ns && ((s.object.spec ?? {}) as ServiceSpec).selector?.['k8s-app'] === 'kube-dns';
      });
      const upstreamArg = backendsOf(index, m).some((w) => (podTemplateOf(w).spec.containers ?? []).some((c) => (c.args ?? []).includes('-upstreamsvc')));
      if (upstreamService || upstreamArg) continue;
      out.push({ manifest: m, path: 'spec.redirectFrontend.serviceMatcher', message: `redirects Service ${ns}/kube-dns to the cache, but there is neither an upstream Service selecting k8s-app: kube-dns (kube-dns-upstream) with node-cache -upstreamsvc, nor skipRedirectFromBackend: true: the cache's own queries to kube-dns loop back to it. Add the kube-dns-upstream Service and -upstreamsvc kube-dns-upstream (NodeLocalDnsCache does both).` });
    }
    return out;
  },
};

export const addressMatcherHitsClusterIp: LintRule = {
  id: 'lrp/address-matcher-hits-clusterip',
  severity: Severity.WARNING,
  summary: "An LRP addressMatcher IP and port is a Service's ClusterIP frontend, which Cilium refuses to override.",
  explanation:
    'An addressMatcher whose IP and port equal an existing ClusterIP frontend is refused ("refusing to override"); use a serviceMatcher ' +
    'for Services (CIL local-redirect-policy.rst). Judged against the Services among the objects.',
  check(index) {
    const out: RuleViolation[] = [];
    for (const m of lrps(index)) {
      const am = specOf(m).redirectFrontend?.addressMatcher;
      if (!am?.ip) continue;
      for (const s of index.ofKind('Service')) {
        const spec = (s.object.spec ?? {}) as ServiceSpec;
        const ips = [spec.clusterIP, ...(spec.clusterIPs ?? [])].filter(Boolean);
        if (!ips.includes(am.ip)) continue;
        const hit = (am.toPorts ?? []).find((p) => (spec.ports ?? []).some((sp) => String(sp.port) === String(p.port) && protocolOf(sp) === protocolOf(p)));
        if (!hit) continue;
        const id = identityOf(s.object);
        out.push({ manifest: m, path: 'spec.redirectFrontend.addressMatcher', message: `matches ${am.ip}:${hit.port}/${protocolOf(hit)}, the ClusterIP frontend of Service '${id.namespace ?? 'default'}/${id.name}'; Cilium refuses to override a Service frontend. Use serviceMatcher: {serviceName: ${id.name}, namespace: ${id.namespace ?? 'default'}}.` });
        break;
      }
    }
    return out;
  },
};

export const featureNotEnabled: LintRule = {
  id: 'lrp/feature-not-enabled',
  severity: Severity.WARNING,
  summary: 'LRPs are written but the Cilium Helm values netsec writes do not enable Local Redirect Policies.',
  explanation:
    'CiliumLocalRedirectPolicy objects do nothing unless localRedirectPolicies.enabled=true (Cilium 1.18+; localRedirectPolicy: true up ' +
    'to 1.17), and the agent and operator restart after the change (CIL local-redirect-policy.rst Prerequisites; PR #39858). Judged ' +
    "from the Helm values netsec writes for the target (NodeLocalDnsCache writes them); a cluster may set them elsewhere.",
  check(index) {
    const all = lrps(index).filter((m) => m.applied);
    if (all.length === 0) return [];
    const newKey = index.target.runs(Product.CILIUM) && index.target.has(Feature.CILIUM_LRP_HELM_LOCAL_REDIRECT_POLICIES);
    const values = index.helmValues.get('cilium') ?? {};
    const enabled = newKey ? (values.localRedirectPolicies as { enabled?: unknown } | undefined)?.enabled === true : values.localRedirectPolicy === true;
    if (enabled) return [];
    const key = newKey ? 'localRedirectPolicies.enabled: true' : 'localRedirectPolicy: true';
    return all.map((m) => ({ manifest: m, path: '', message: `does nothing unless the Cilium Helm values set ${key}, and the values netsec writes for this target do not. Set it in the cluster's Cilium values (and restart the agents and operator), or suppress this with the reason where it is already set.` }));
  },
};

export const LRP_RULES: readonly LintRule[] = [namespaceScope, portsMustBeNamedAndMatch, backendHostnetwork, nodeLocalDnsNeedsUpstreamService, addressMatcherHitsClusterIp, featureNotEnabled];

/** The link-local addresses classic (hostNetwork) NodeLocal DNSCache listens on, from the target or the upstream default. */
function nodeLocalAddresses(index: ManifestIndex): string[] | undefined {
  const settings = index.target.nodeLocalDns;
  if (settings?.mode === 'link-local') return settings.addresses ?? ['169.254.20.10'];
  const hostNetworkCache = index.ofKind('DaemonSet').some((d) => {
    const pod = podTemplateOf(d);
    return pod.spec.hostNetwork === true && (pod.labels['k8s-app'] === 'node-local-dns' || (pod.spec.containers ?? []).some(isNodeCache));
  });
  return hostNetworkCache ? ['169.254.20.10'] : undefined;
}

type NetPolPeer = { ipBlock?: { cidr?: string; except?: string[] }; podSelector?: unknown; namespaceSelector?: unknown };
type CalicoEgressRule = { action?: string; destination?: { selector?: string; namespaceSelector?: string; nets?: string[]; ports?: (number | string)[] } };
type NetPolRule = { to?: NetPolPeer[]; ports?: { port?: number | string; protocol?: string }[] };

function covers(cidr: string | undefined, ip: string): boolean {
  if (!cidr) return false;
  try {
    return Cidr.parse(cidr, { lenient: true }).contains(Cidr.parse(ip.includes('/') ? ip : `${ip}/${ip.includes(':') ? 128 : 32}`, { lenient: true }));
  } catch {
    return false; // a malformed CIDR: the schema check reports it
  }
}

export const nodeLocalDnsNetpolHostNetwork: LintRule = {
  id: 'dns/nodelocaldns-netpol-hostnetwork',
  severity: Severity.ERROR,
  summary: 'A Kubernetes or Calico policy isolates egress but allows DNS only to pods, while NodeLocal DNSCache answers on a node address.',
  explanation:
    'Classic node-local-dns runs with hostNetwork: true on a link-local address (169.254.20.10). An egress policy that allows DNS ' +
    'only to kube-dns by pod or namespace selector does not match that destination, so pods lose DNS; allow an ipBlock for the ' +
    'address on port 53 (kubernetes cluster/addons/dns/nodelocaldns/README.md; tigera/docs node-local-dns-cache.mdx; calico#3795). ' +
    'Applies when the target says the cache is link-local, or a hostNetwork node-local-dns DaemonSet is among the objects.',
  check(index) {
    const addresses = nodeLocalAddresses(index);
    if (!addresses) return [];
    const out: RuleViolation[] = [];
    for (const m of index.ofKind('NetworkPolicy').filter((p) => String(p.object.apiVersion ?? '').startsWith('networking.k8s.io/'))) {
      const spec = (m.object.spec ?? {}) as { policyTypes?: string[]; egress?: NetPolRule[] };
      if (!(spec.policyTypes ?? []).includes('Egress')) continue;
      const rules = spec.egress ?? [];
      const dnsPort = (r: NetPolRule) => !r.ports || r.ports.length === 0 || r.ports.some((p) => String(p.port) === '53' || p.port === undefined);
      const toCache = (r: NetPolRule) => dnsPort(r) && (!r.to || r.to.length === 0 || r.to.some((p) => addresses.some((a) => covers(p.ipBlock?.cidr, a) && !(p.ipBlock?.except ?? []).some((e) => covers(e, a)))));
      if (rules.some(toCache)) continue;
      const dnsBySelector = rules.findIndex((r) => dnsPort(r) && (r.to ?? []).some((p) => p.podSelector !== undefined || p.namespaceSelector !== undefined));
      if (dnsBySelector < 0) continue;
      out.push({ manifest: m, path: `spec.egress[${dnsBySelector}]`, message: `allows DNS only to pods chosen by selector, but NodeLocal DNSCache answers on the node address ${addresses.join(', ')} (hostNetwork), which no pod or namespace selector matches: the selected pods lose DNS. Add an egress rule to ipBlock ${addresses[0]}/32 on port 53 (UDP and TCP).` });
    }
    // Calico policies: an egress Allow to port 53 by selector only, and no Allow or Pass that reaches the address.
    for (const m of index.ofKind('GlobalNetworkPolicy', 'NetworkPolicy').filter((p) => String(p.object.apiVersion ?? '').includes('projectcalico.org/'))) {
      const spec = (m.object.spec ?? {}) as { types?: string[]; egress?: CalicoEgressRule[] };
      const rules = Array.isArray(spec.egress) ? spec.egress : [];
      if (rules.length === 0 || (spec.types && !spec.types.includes('Egress'))) continue;
      const dnsPort = (r: CalicoEgressRule) => !r.destination?.ports || r.destination.ports.some((p) => String(p) === '53');
      const reaches = (r: CalicoEgressRule) =>
        (r.action === 'Allow' || r.action === 'Pass') && dnsPort(r) && !r.destination?.selector && !r.destination?.namespaceSelector &&
        (!r.destination?.nets || r.destination.nets.some((n) => addresses.some((a) => covers(n, a))));
      if (rules.some(reaches)) continue;
      const bySelector = rules.findIndex((r) => r.action === 'Allow' && dnsPort(r) && !!r.destination?.ports && !!(r.destination?.selector || r.destination?.namespaceSelector));
      if (bySelector < 0) continue;
      out.push({ manifest: m, path: `spec.egress[${bySelector}]`, message: `allows DNS only to endpoints chosen by selector, but NodeLocal DNSCache answers on the node address ${addresses.join(', ')} (hostNetwork), which no endpoint selector matches: the selected endpoints lose DNS. Add an Allow rule to nets [${addresses[0]}/32] on port 53 (UDP and TCP).` });
    }
    return out;
  },
};

export const NODE_LOCAL_DNS_RULES: readonly LintRule[] = [nodeLocalDnsNetpolHostNetwork];
