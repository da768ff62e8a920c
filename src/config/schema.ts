import { ApplyMode, NodeLocalDnsMode } from '../core/target.js';
import { ConfigSection, SUPPRESS_PROPERTY } from './section.js';
import { DNS_LABEL_PATTERN } from '../core/names.js';

const CIDR_LIST = { type: 'array', items: { type: 'string' }, uniqueItems: true } as const;
const VERSION = { type: 'string', pattern: '^v?\\d+\\.\\d+(\\.\\d+)?$', description: "A minor line such as '1.17', or a full version such as '1.17.3'." } as const;

/** JSON Schema of one entry of `targets:`; mirrors `TargetProps`. */
export const TARGET_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: `^${DNS_LABEL_PATTERN}$`, maxLength: 63, description: 'Names the output folder dist/<name>/.' },
    kubernetes: VERSION,
    cilium: VERSION,
    calico: VERSION,
    istio: VERSION,
    applyMode: { enum: Object.values(ApplyMode), description: 'How the output is applied; decides the per-object size budget.' },
    suppress: SUPPRESS_PROPERTY,
    cluster: {
      type: 'object',
      additionalProperties: false,
      properties: {
        podCidrs: CIDR_LIST,
        serviceCidrs: CIDR_LIST,
        apiServerCidrs: CIDR_LIST,
        clusterDomain: { type: 'string' },
        nodeLocalDns: {
          description: 'Whether NodeLocal DNSCache answers the pods\' DNS queries, and how they reach it; true means { mode: lrp }. It decides what the DNS rules netsec adds select besides kube-dns.',
          // if/then/else rather than oneOf: a wrong value gets one message (for "yes": "should be of type boolean").
          if: { type: 'object' },
          then: {
            type: 'object',
            additionalProperties: false,
            required: ['mode'],
            // link-local needs addresses (Target explains why); lrp refuses them there.
            if: { properties: { mode: { const: NodeLocalDnsMode.LINK_LOCAL } } },
            then: { required: ['addresses'] },
            properties: {
              mode: {
                enum: Object.values(NodeLocalDnsMode),
                description: 'lrp: behind a Cilium Local Redirect Policy (DNS rules select the cache pods). link-local: on an address of each node, such as 169.254.20.10 or AKS LocalDNS 169.254.10.10/11 (DNS rules allow entity host).',
              },
              addresses: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'link-local only, and required there: the addresses the cache listens on, e.g. [169.254.20.10]; DNS rules allow them as well as entity host.' },
            },
          },
          else: { type: 'boolean' },
        },
      },
    },
  },
} as const;

/** The JSON Schema of a whole netsec.yaml, composed from the sections that exist. */
export function buildConfigSchema(sections: readonly ConfigSection[]): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'netsec.yaml',
    description: 'Network security for one or more Kubernetes clusters, synthesized by `netsec synth`.',
    type: 'object',
    additionalProperties: false,
    required: ['targets'],
    properties: {
      targets: { type: 'array', minItems: 1, items: TARGET_SCHEMA, description: 'The clusters to synthesize for; one folder each in dist/.' },
      ...Object.fromEntries(sections.map((s) => [s.key, { ...s.schema, description: s.description }])),
    },
  };
}
