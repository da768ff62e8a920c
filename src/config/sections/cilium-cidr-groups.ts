import { CiliumCidrGroup } from '../../egress/cilium-cidr-group.js';
import { Product } from '../../core/versions.js';
import { ResourceMetadataProps } from '../../core/resource-metadata.js';
import { ConfigSection, METADATA_PROPERTY, SUPPRESS_PROPERTY, TARGETS_PROPERTY, checkCidrList, constructId } from '../section.js';
import { EGRESS_BLOCKING_COMPONENT } from './egress-blocking.js';
import { DNS_SUBDOMAIN } from '../../core/names.js';

/** One entry of `ciliumCidrGroups:`. */
export interface CiliumCidrGroupEntry {
  readonly name: string;
  readonly cidrs: string[];
  readonly labels?: Record<string, string>;
  readonly metadata?: ResourceMetadataProps;
  readonly targets?: string[];
}

/** `ciliumCidrGroups:` CiliumCIDRGroups that only label world IPs (Hubble metadata), on every Cilium target. */
export const ciliumCidrGroupsSection: ConfigSection<CiliumCidrGroupEntry> = {
  key: 'ciliumCidrGroups',
  description: 'CiliumCIDRGroups that label world IPs (shown on Hubble flows); policies may reference them.',
  schema: {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'cidrs'],
      properties: {
        name: { type: 'string', pattern: DNS_SUBDOMAIN.source, maxLength: 253, description: 'metadata.name of the CiliumCIDRGroup.' },
        cidrs: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'The prefixes of the group (spec.externalCIDRs).' },
        labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels of the group (metadata.labels). Default: none.' },
        metadata: { ...METADATA_PROPERTY, description: 'Labels and annotations of the group; metadata.labels merge with labels (a key in both must have the same value).' },
        targets: TARGETS_PROPERTY,
        suppress: SUPPRESS_PROPERTY,
      },
    },
  },
  needs: [Product.CILIUM],
  objects: (entry) => [{ label: `CiliumCIDRGroup '${entry.name}'`, pointer: '/name' }],
  build(ctx, entry) {
    // The group parses its CIDRs strictly; checked here first so a bad item is reported at its own line.
    checkCidrList(ctx, 'cidrs', entry.cidrs);
    new CiliumCidrGroup(ctx.chart(EGRESS_BLOCKING_COMPONENT), constructId('Group', entry.name), { name: entry.name, cidrs: entry.cidrs, labels: entry.labels, metadata: entry.metadata });
  },
};
