import {
  CiliumClusterwideNetworkPolicy,
  CiliumNetworkPolicy,
  CiliumPolicyBase,
  DnsAccess,
  DnsPatterns,
  EgressRuleOptions,
  EndpointSelector,
  Entity,
  FqdnSelector,
  HttpRule,
  IngressRuleOptions,
  LabelExpression,
  LabelOperator,
  Peer,
  PolicyDefault,
  Port,
  Protocol,
} from '../../cilium/index.js';
import { NetsecError } from '../../core/errors.js';
import { Product } from '../../core/versions.js';
import { ResourceMetadataProps } from '../../core/resource-metadata.js';
import { ConfigSection, METADATA_PROPERTY, SectionBuildContext, SUPPRESS_PROPERTY, TARGETS_PROPERTY, checkCidrs, constructId } from '../section.js';

/** A label selector as written in netsec.yaml (Kubernetes spelling). */
interface SelectorValue {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: LabelOperator; values?: string[] }[];
}

interface PodsValue extends SelectorValue {
  readonly namespace?: string;
  readonly policyNamespace?: boolean;
  readonly allNamespaces?: boolean;
  readonly namespaceLabels?: Record<string, string>;
}

interface FqdnValue {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

interface PeersValue {
  readonly pods?: PodsValue[];
  readonly entities?: Entity[];
  readonly cidrs?: (string | { cidr: string; except?: string[] })[];
  readonly cidrGroups?: string[];
  readonly fqdns?: FqdnValue[];
}

interface RuleValue {
  readonly to?: PeersValue;
  readonly from?: PeersValue;
  readonly ports?: { port: number | string; endPort?: number; protocol: Protocol }[];
  readonly http?: { method?: string; path?: string; host?: string; headers?: string[] }[];
  readonly dns?: FqdnValue[];
}

/** One entry of `ciliumPolicies:`; mirrors `CiliumNetworkPolicyProps` and the allow/deny methods. */
export interface CiliumPolicyValue {
  readonly name: string;
  readonly kind?: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  readonly namespace?: string;
  readonly targets?: string[];
  readonly component?: string;
  readonly description?: string;
  readonly endpointSelector?: SelectorValue;
  readonly egressDefault?: PolicyDefault;
  readonly ingressDefault?: PolicyDefault;
  readonly dns?: DnsAccess;
  readonly dnsPatterns?: DnsPatterns;
  readonly metadata?: ResourceMetadataProps;
  readonly egress?: RuleValue[];
  readonly egressDeny?: RuleValue[];
  readonly ingress?: RuleValue[];
  readonly ingressDeny?: RuleValue[];
}

const LABELS = { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels a pod must all carry (key: value).' } as const;
const EXPRESSIONS = {
  type: 'array',
  description: 'Label requirements a pod must all meet, as in a Kubernetes label selector.',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'operator'],
    properties: {
      key: { type: 'string', description: 'The label key.' },
      operator: { enum: Object.values(LabelOperator), description: 'In, NotIn (need values), Exists, DoesNotExist (take no values).' },
      values: { type: 'array', items: { type: 'string' }, description: 'The values In and NotIn compare with.' },
    },
  },
} as const;
const SELECTOR = { type: 'object', additionalProperties: false, properties: { matchLabels: LABELS, matchExpressions: EXPRESSIONS } } as const;
const FQDN = {
  type: 'object',
  additionalProperties: false,
  description: 'A DNS name: exactly one of matchName, matchPattern.',
  properties: {
    matchName: { type: 'string', description: 'One exact name, e.g. api.example.com.' },
    matchPattern: { type: 'string', description: "A pattern where '*' matches within one label, e.g. '*.example.com' ('**.' needs Cilium 1.19 or later)." },
  },
  oneOf: [{ required: ['matchName'] }, { required: ['matchPattern'] }],
} as const;
const PODS = {
  type: 'object',
  additionalProperties: false,
  description: 'Pods, always with their namespace scope: exactly one of namespace, policyNamespace, allNamespaces, namespaceLabels.',
  properties: {
    namespace: { type: 'string', description: 'Pods in this namespace.' },
    policyNamespace: { const: true, description: "Pods in the policy's own namespace (CiliumNetworkPolicy only)." },
    allNamespaces: { const: true, description: 'Pods in every namespace.' },
    namespaceLabels: { ...LABELS, description: 'Pods in the namespaces with these labels.' },
    matchLabels: LABELS,
    matchExpressions: EXPRESSIONS,
  },
  oneOf: [{ required: ['namespace'] }, { required: ['policyNamespace'] }, { required: ['allNamespaces'] }, { required: ['namespaceLabels'] }],
} as const;

function peersSchema(withFqdns: boolean): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    description: 'The peers of the rule; Cilium allows one kind per rule.',
    properties: {
      pods: { type: 'array', items: PODS, description: 'Pods, by labels and namespace scope (toEndpoints/fromEndpoints).' },
      entities: { type: 'array', items: { enum: Object.values(Entity) }, description: 'Cilium entities, e.g. world, cluster, host, kube-apiserver (toEntities/fromEntities).' },
      cidrs: {
        type: 'array',
        description: 'Address prefixes: a CIDR string, or {cidr, except} (toCIDRSet/fromCIDRSet).',
        items: {
          oneOf: [
            { type: 'string' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['cidr'],
              properties: {
                cidr: { type: 'string', description: 'The prefix, e.g. 10.0.0.0/8.' },
                except: { type: 'array', items: { type: 'string' }, description: 'Prefixes inside cidr that the rule leaves out.' },
              },
            },
          ],
        },
      },
      cidrGroups: { type: 'array', items: { type: 'string' }, description: 'Names of CiliumCIDRGroups (cidrGroupRef).' },
      ...(withFqdns ? { fqdns: { type: 'array', items: FQDN, description: 'DNS names (toFQDNs); netsec keeps DNS visible so Cilium learns their addresses.' } } : {}),
    },
  };
}

function ruleSchema(direction: 'egress' | 'ingress', deny: boolean): Record<string, unknown> {
  return {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: {
        [direction === 'egress' ? 'to' : 'from']: peersSchema(direction === 'egress'),
        ports: {
          type: 'array',
          description: 'The ports the rule covers. Default: every port.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['port', 'protocol'],
            properties: {
              port: { type: ['integer', 'string'], description: 'A number (1-65535) or a container port name.' },
              endPort: { type: 'integer', description: 'The last port of a range that starts at port (a number then).' },
              protocol: { enum: Object.values(Protocol), description: 'TCP, UDP, SCTP or ANY.' },
            },
          },
        },
        ...(deny
          ? {}
          : {
              http: {
                type: 'array',
                description: 'HTTP requests the rule allows (an L7 rule: traffic goes through Cilium\'s proxy; needs a TCP port).',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    method: { type: 'string', description: 'HTTP method, a regular expression, e.g. GET. Default: any.' },
                    path: { type: 'string', description: 'URL path, a regular expression, e.g. /discount. Default: any.' },
                    host: { type: 'string', description: 'Host header, a regular expression. Default: any.' },
                    headers: { type: 'array', items: { type: 'string' }, description: "Headers the request must carry, each as 'Name: value'." },
                  },
                },
              },
              ...(direction === 'egress' ? { dns: { type: 'array', items: FQDN, description: 'DNS queries the rule allows (a DNS L7 rule on port 53).' } } : {}),
            }),
      },
    },
  };
}

const POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', description: 'metadata.name.' },
    kind: { enum: ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'], description: 'Default: CiliumNetworkPolicy.' },
    namespace: { type: 'string', description: "The CiliumNetworkPolicy's namespace. Default: default." },
    targets: TARGETS_PROPERTY,
    suppress: SUPPRESS_PROPERTY,
    component: { type: 'string', description: 'Output file (without .yaml) in dist/<target>/. Default: cilium-policies.' },
    description: { type: 'string', description: 'spec.description, free text. Default: none.' },
    endpointSelector: { ...SELECTOR, description: 'The pods the policy applies to. Default: all (of the namespace, for a CiliumNetworkPolicy).' },
    egressDefault: { enum: Object.values(PolicyDefault), description: 'What happens to egress no rule allows. Default: unchanged.' },
    ingressDefault: { enum: Object.values(PolicyDefault), description: 'What happens to ingress no rule allows. Default: unchanged.' },
    dns: { enum: Object.values(DnsAccess), description: 'How DNS keeps working (auto: netsec adds the DNS rule). Default: auto.' },
    dnsPatterns: { enum: Object.values(DnsPatterns), description: 'Which queries the automatic DNS rule lets through. Default: all.' },
    metadata: { ...METADATA_PROPERTY, description: "Labels and annotations of the policy. Keys under netsec.io/ are netsec's own and refused." },
    egress: { ...ruleSchema('egress', false), description: 'Egress allow rules: to (one kind of peer), ports, http or dns.' },
    egressDeny: { ...ruleSchema('egress', true), description: 'Egress deny rules: to (no fqdns) and ports; a deny wins over every allow.' },
    ingress: { ...ruleSchema('ingress', false), description: 'Ingress allow rules: from (one kind of peer), ports, http.' },
    ingressDeny: { ...ruleSchema('ingress', true), description: 'Ingress deny rules: from and ports; a deny wins over every allow.' },
  },
} as const;

function selectorOf(v: SelectorValue | undefined): EndpointSelector | undefined {
  if (!v) return undefined;
  return EndpointSelector.of({ labels: v.matchLabels, expressions: v.matchExpressions as LabelExpression[] | undefined });
}

function fqdnOf(v: FqdnValue): FqdnSelector {
  return v.matchName !== undefined ? FqdnSelector.matchName(v.matchName) : FqdnSelector.matchPattern(v.matchPattern!);
}

function peersOf(v: PeersValue | undefined): Peer[] | undefined {
  if (!v) return undefined;
  const peers: Peer[] = [];
  for (const p of v.pods ?? []) {
    const pods = selectorOf(p) ?? EndpointSelector.all();
    if (p.namespace !== undefined) peers.push(Peer.podsInNamespace(p.namespace, pods));
    else if (p.policyNamespace) peers.push(Peer.podsInPolicyNamespace(pods));
    else if (p.allNamespaces) peers.push(Peer.podsInAllNamespaces(pods));
    else peers.push(Peer.podsInNamespacesLabeled(p.namespaceLabels!, pods));
  }
  for (const e of v.entities ?? []) peers.push(Peer.entity(e));
  for (const c of v.cidrs ?? []) peers.push(typeof c === 'string' ? Peer.cidr(c) : Peer.cidr(c.cidr, c.except));
  for (const g of v.cidrGroups ?? []) peers.push(Peer.cidrGroup(g));
  for (const f of v.fqdns ?? []) peers.push(f.matchName !== undefined ? Peer.fqdn(f.matchName) : Peer.fqdnPattern(f.matchPattern!));
  return peers;
}

function egressOf(r: RuleValue): EgressRuleOptions {
  return {
    to: peersOf(r.to),
    ports: r.ports?.map((p) => Port.of(p)),
    http: r.http?.map((h) => HttpRule.of(h)),
    dns: r.dns?.map(fqdnOf),
  };
}

function ingressOf(r: RuleValue): IngressRuleOptions {
  return { from: peersOf(r.from), ports: r.ports?.map((p) => Port.of(p)), http: r.http?.map((h) => HttpRule.of(h)) };
}

/** Builds one `ciliumPolicies:` entry into `ctx`'s target: exactly what the TypeScript API calls would build. */
export function buildCiliumPolicy(ctx: SectionBuildContext, v: CiliumPolicyValue): CiliumPolicyBase {
  const chart = ctx.chart(v.component ?? 'cilium-policies');
  const props = {
    name: v.name,
    description: v.description,
    endpointSelector: selectorOf(v.endpointSelector),
    egressDefault: v.egressDefault,
    ingressDefault: v.ingressDefault,
    dns: v.dns,
    dnsPatterns: v.dnsPatterns,
    metadata: v.metadata,
  };
  const policy =
    v.kind === 'CiliumClusterwideNetworkPolicy'
      ? new CiliumClusterwideNetworkPolicy(chart, constructId('Ccnp', v.name), props)
      : new CiliumNetworkPolicy(chart, constructId('Cnp', v.namespace ?? 'default', v.name), { ...props, namespace: v.namespace });
  for (const r of v.egress ?? []) policy.allowEgress(egressOf(r));
  for (const r of v.egressDeny ?? []) policy.denyEgress(egressOf(r));
  for (const r of v.ingress ?? []) policy.allowIngress(ingressOf(r));
  for (const r of v.ingressDeny ?? []) policy.denyIngress(ingressOf(r));
  return policy;
}

/** `ciliumPolicies:` in netsec.yaml: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy objects with typed rules. */
export const ciliumPoliciesSection: ConfigSection<CiliumPolicyValue> = {
  key: 'ciliumPolicies',
  description: 'Cilium network policies (namespaced or clusterwide) with typed rules; DNS rules follow the cluster DNS path.',
  schema: { type: 'array', items: POLICY_SCHEMA },
  needs: [Product.CILIUM],
  objects: (v) => [{
    label: v.kind === 'CiliumClusterwideNetworkPolicy' ? `CiliumClusterwideNetworkPolicy '${v.name}'` : `CiliumNetworkPolicy '${v.namespace ?? 'default'}/${v.name}'`,
    pointer: '/name',
  }],
  build(ctx, v) {
    // Peer.cidr parses strictly too, but knows nothing of netsec.yaml: checked here so a bad item is shown at its line.
    const cidrs = (['egress', 'egressDeny', 'ingress', 'ingressDeny'] as const).flatMap((key) =>
      (v[key] ?? []).flatMap((rule, r) => {
        const peers = key.startsWith('egress') ? 'to' : 'from';
        return (rule[peers]?.cidrs ?? []).flatMap((c, k) => {
          const at = `/${key}/${r}/${peers}/cidrs/${k}`;
          return typeof c === 'string'
            ? [{ pointer: at, text: c }]
            : [{ pointer: `${at}/cidr`, text: c.cidr }, ...(c.except ?? []).map((e, m) => ({ pointer: `${at}/except/${m}`, text: e }))];
        });
      }),
    );
    if (cidrs.length) checkCidrs(ctx, cidrs, ctx.label);
    if (v.kind === 'CiliumClusterwideNetworkPolicy' && v.namespace !== undefined) {
      throw new NetsecError('CONFIG', `a CiliumClusterwideNetworkPolicy is cluster-scoped and has no namespace; remove 'namespace' or use kind CiliumNetworkPolicy.`, ctx.where('/namespace'));
    }
    buildCiliumPolicy(ctx, v);
  },
};
