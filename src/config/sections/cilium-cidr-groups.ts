import { CiliumCidrGroup } from '../../egress/cilium-cidr-group.js';
import { Product } from '../../core/versions.js';
import { ConfigSection, TARGETS_PROPERTY, appliesTo } from '../section.js';
import { EGRESS_BLOCKING_COMPONENT } from './egress-blocking.js';

/** One entry of `ciliumCidrGroups:`. */
export interface CiliumCidrGroupEntry {
  readonly name: string;
  readonly cidrs: string[];
  readonly labels?: Record<string, string>;
  readonly targets?: string[];
}

/** `ciliumCidrGroups:` CiliumCIDRGroups that only label world IPs (Hubble metadata), on every Cilium target. */
export const ciliumCidrGroupsSection: ConfigSection<CiliumCidrGroupEntry[]> = {
  key: 'ciliumCidrGroups',
  description: 'CiliumCIDRGroups that label world IPs (shown on Hubble flows); policies may reference them.',
  schema: {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'cidrs'],
      properties: {
        name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', maxLength: 253 },
        cidrs: { type: 'array', minItems: 1, items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        targets: TARGETS_PROPERTY,
      },
    },
  },
  build(ctx, entries) {
    for (const entry of entries) {
      if (!appliesTo(ctx.target, entry.targets, ctx.target.runs(Product.CILIUM))) continue;
      new CiliumCidrGroup(ctx.chart(EGRESS_BLOCKING_COMPONENT), `Group-${entry.name}`, { name: entry.name, cidrs: entry.cidrs, labels: entry.labels });
    }
  },
};
