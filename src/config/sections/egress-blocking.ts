import { aggregate } from '../../cidr/aggregate.js';
import { PrefixList } from '../../cidr/prefix-list.js';
import { CidrDiagnostic, formatDiagnostic } from '../../cidr/parse.js';
import { readCidrFeed, readCidrLines } from '../../cidr/feeds/plain.js';
import { CountryMatch, readMaxMindCountries } from '../../cidr/feeds/maxmind.js';
import { addWarning } from '../../core/diagnostics.js';
import { Product } from '../../core/versions.js';
import { CalicoApi, CalicoBlockDesign, CalicoEgressBlock } from '../../egress/calico-egress-block.js';
import { CidrGroupReference, CiliumEgressBlock, LabelSelectorSpec } from '../../egress/cilium-egress-block.js';
import { ConfigSection, SectionBuildContext, TARGETS_PROPERTY, appliesTo } from '../section.js';

/** One entry of `egressBlocking:`. */
export interface EgressBlockingEntry {
  readonly name: string;
  readonly targets?: string[];
  readonly cidrs?: string[];
  readonly feeds?: ({ readonly file: string } | { readonly maxmind: { readonly directory: string; readonly countries: string[]; readonly match?: CountryMatch } })[];
  readonly except?: string[];
  readonly lenient?: boolean;
  readonly labels?: Record<string, string>;
  readonly allowEmpty?: boolean;
  readonly allowDefaultRoute?: boolean;
  readonly allowClusterOverlap?: boolean;
  readonly cilium?: { readonly endpointSelector?: LabelSelectorSpec; readonly reference?: CidrGroupReference };
  readonly calico?: { readonly design?: CalicoBlockDesign; readonly log?: boolean; readonly tier?: { name?: string; order?: number }; readonly allowPolicyName?: string; readonly api?: CalicoApi };
}

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;
const DNS_LABEL = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 } as const;

/** The component (output file) egress blocking writes. */
export const EGRESS_BLOCKING_COMPONENT = 'egress-blocking';

/**
 * Reads an entry's CIDRs (inline list, plain feeds, MaxMind countries) into one list. Paths are relative to
 * netsec.yaml. Inline entries are reported as lines of `netsec.yaml#/egressBlocking/<i>/cidrs`.
 */
async function readEntryCidrs(entry: EgressBlockingEntry, source: string, ctx: SectionBuildContext): Promise<{ list: PrefixList; warnings: string[] }> {
  const list = new PrefixList(entry.cidrs?.length ?? 0);
  const warnings: string[] = [];
  const note = (ws: readonly CidrDiagnostic[]) => {
    for (const w of ws) warnings.push(formatDiagnostic(w));
  };
  if (entry.cidrs?.length) note(readCidrLines(entry.cidrs, { source: `${source}/cidrs`, lenient: entry.lenient, into: list }).warnings);
  for (const feed of entry.feeds ?? []) {
    const progress = ctx.readProgress?.(`reading ${'file' in feed ? feed.file : feed.maxmind.directory}`);
    try {
      if ('file' in feed) {
        note((await readCidrFeed(ctx.resolvePath(feed.file), { lenient: entry.lenient, into: list, onProgress: progress?.onProgress })).warnings);
      } else {
        const { directory, countries, match } = feed.maxmind;
        await readMaxMindCountries({ directory: ctx.resolvePath(directory), countries, match, into: list, onProgress: progress?.onProgress });
      }
    } finally {
      progress?.done();
    }
  }
  return { list, warnings };
}

/** `egressBlocking:` blocks egress to CIDR lists on every Cilium and Calico target. */
export const egressBlockingSection: ConfigSection<EgressBlockingEntry[]> = {
  key: 'egressBlocking',
  description: 'Egress blocking (geo-blocking) by CIDR lists: CiliumCIDRGroups + a CiliumClusterwideNetworkPolicy on Cilium, GlobalNetworkSets + GlobalNetworkPolicies on Calico.',
  schema: {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      anyOf: [{ required: ['cidrs'] }, { required: ['feeds'] }],
      properties: {
        name: DNS_LABEL,
        targets: TARGETS_PROPERTY,
        cidrs: { type: 'array', items: { type: 'string' }, description: 'Prefixes or addresses to block.' },
        feeds: {
          type: 'array',
          items: {
            oneOf: [
              { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'string', description: 'A plain list: one prefix per line, # comments.' } } },
              {
                type: 'object',
                additionalProperties: false,
                required: ['maxmind'],
                properties: {
                  maxmind: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['directory', 'countries'],
                    properties: {
                      directory: { type: 'string', description: 'Folder with the GeoLite2 Country CSV files.' },
                      countries: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Za-z]{2}$' } },
                      match: { enum: Object.values(CountryMatch) },
                    },
                  },
                },
              },
            ],
          },
        },
        except: { type: 'array', items: { type: 'string' } },
        lenient: { type: 'boolean', description: 'Normalise prefixes with host bits set (one warning per line) instead of failing.' },
        labels: STRING_MAP,
        allowEmpty: { type: 'boolean' },
        allowDefaultRoute: { type: 'boolean' },
        allowClusterOverlap: { type: 'boolean' },
        cilium: {
          type: 'object',
          additionalProperties: false,
          properties: {
            endpointSelector: { type: 'object', additionalProperties: false, properties: { matchLabels: STRING_MAP, matchExpressions: { type: 'array' } } },
            reference: { enum: Object.values(CidrGroupReference) },
          },
        },
        calico: {
          type: 'object',
          additionalProperties: false,
          properties: {
            design: { enum: Object.values(CalicoBlockDesign) },
            log: { type: 'boolean' },
            tier: { type: 'object', additionalProperties: false, properties: { name: DNS_LABEL, order: { type: 'number' } } },
            allowPolicyName: DNS_LABEL,
            api: { enum: Object.values(CalicoApi) },
          },
        },
      },
    },
  },
  async build(ctx, entries) {
    const { target } = ctx;
    for (const [i, entry] of entries.entries()) {
      const onCilium = target.runs(Product.CILIUM);
      const onCalico = target.runs(Product.CALICO);
      if (!appliesTo(target, entry.targets, onCilium || onCalico)) continue;
      const { cidrs, warnings } = await ctx.once(entry, async () => {
        const read = await readEntryCidrs(entry, `${ctx.configFile}#${ctx.pointer}/${i}`, ctx);
        return { cidrs: aggregate(read.list).set, warnings: read.warnings };
      });
      const chart = ctx.chart(EGRESS_BLOCKING_COMPONENT);
      const common = { name: entry.name, cidrs, except: entry.except, labels: entry.labels, allowEmpty: entry.allowEmpty, allowDefaultRoute: entry.allowDefaultRoute, allowClusterOverlap: entry.allowClusterOverlap };
      const blocks = [];
      if (onCilium) blocks.push(new CiliumEgressBlock(chart, `Cilium-${entry.name}`, { ...common, ...entry.cilium }));
      if (onCalico) blocks.push(new CalicoEgressBlock(chart, `Calico-${entry.name}`, { ...common, ...entry.calico }));
      for (const w of warnings) for (const b of blocks) addWarning(b, w);
    }
  },
};
