import { aggregate } from '../../cidr/aggregate.js';
import { PrefixList } from '../../cidr/prefix-list.js';
import { CidrDiagnostic, formatDiagnostic } from '../../cidr/parse.js';
import { CountryMatch, readMaxMindCountries } from '../../cidr/feeds/maxmind.js';
import { readCidrFeed } from '../../cidr/feeds/plain.js';
import { FileReadError } from '../../cidr/feeds/read.js';
import { addWarning } from '../../core/diagnostics.js';
import { NetsecError } from '../../core/errors.js';
import { Product } from '../../core/versions.js';
import { CalicoApi, CalicoBlockDesign, CalicoEgressBlock } from '../../egress/calico-egress-block.js';
import { CidrGroupReference, CiliumEgressBlock } from '../../egress/cilium-egress-block.js';
import { calicoSelectorOf } from '../../egress/endpoint-scope.js';
import { EndpointSelector, LabelExpression } from '../../cilium/selectors.js';
import { ResourceMetadataProps } from '../../core/resource-metadata.js';
import { ConfigSection, METADATA_PROPERTY, SectionBuildContext, SUPPRESS_PROPERTY, TARGETS_PROPERTY, checkCidrList, constructId } from '../section.js';
import { DNS_LABEL_PATTERN } from '../../core/names.js';

/** A Kubernetes label selector as netsec.yaml writes it. */
export interface LabelSelectorSpec {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: LabelExpression[];
}

/** One entry of `egressBlocking:`. */
export interface EgressBlockingEntry {
  readonly name: string;
  readonly targets?: string[];
  readonly cidrs?: string[];
  readonly feeds?: ({ readonly file: string } | { readonly maxmind: { readonly directory: string; readonly countries: string[]; readonly match?: CountryMatch } })[];
  readonly except?: string[];
  readonly lenient?: boolean;
  readonly labels?: Record<string, string>;
  readonly metadata?: ResourceMetadataProps;
  readonly allowEmpty?: boolean;
  readonly allowDefaultRoute?: boolean;
  readonly allowClusterOverlap?: boolean;
  readonly allowHugeBlock?: boolean;
  /** The pods whose egress is blocked, on Cilium and Calico alike. Default: every pod. */
  readonly endpointSelector?: LabelSelectorSpec;
  /** @deprecated Cilium only: a Calico target refuses it (it would block every endpoint there); use `endpointSelector`. */
  readonly cilium?: { readonly endpointSelector?: LabelSelectorSpec; readonly reference?: CidrGroupReference };
  readonly calico?: { readonly design?: CalicoBlockDesign; readonly log?: boolean; readonly tier?: { name?: string; order?: number }; readonly allowPolicyName?: string; readonly api?: CalicoApi };
}

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;
/** A Kubernetes label selector (matchLabels, matchExpressions), as a Deployment's selector is written. */
const LABEL_SELECTOR = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: STRING_MAP,
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: { key: { type: 'string' }, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
} as const;
const DNS_LABEL = { type: 'string', pattern: `^${DNS_LABEL_PATTERN}$`, maxLength: 63 } as const;

/** The component (output file) egress blocking writes. */
export const EGRESS_BLOCKING_COMPONENT = 'egress-blocking';

/** What a strict host-bits error tells a netsec.yaml user to do (the CLI's `--lenient` does not exist in `synth`). */
function lenientHint(ctx: SectionBuildContext): string {
  return ` (set lenient: true in ${ctx.label} to normalise)`;
}

/**
 * A note for a path written as a shell would expand it (`~/feeds/x.txt`, `$FEEDS/x.txt`): netsec.yaml is not a shell
 * script, and such a path is read as written, so the file is "missing" however it is spelled on disk.
 */
function notExpanded(path: string): string {
  return /^~|\$(?:\{|[A-Za-z_])/.test(path) ? ` (netsec reads the path as written: '~' and $VARIABLES are not expanded)` : '';
}

/**
 * Reads an entry's CIDRs (inline list, plain feeds, MaxMind countries) into one list. Paths are relative to
 * netsec.yaml and named so in messages and warnings; inline items are reported at their netsec.yaml line and column.
 */
async function readEntryCidrs(entry: EgressBlockingEntry, ctx: SectionBuildContext): Promise<{ list: PrefixList; warnings: string[] }> {
  const list = new PrefixList(entry.cidrs?.length ?? 0);
  const warnings: string[] = [];
  const note = (ws: readonly CidrDiagnostic[]) => {
    for (const w of ws) warnings.push(formatDiagnostic(w));
  };
  if (entry.cidrs?.length) note(checkCidrList(ctx, 'cidrs', entry.cidrs, { into: list, lenient: entry.lenient, hostBitsHint: lenientHint(ctx) }));
  for (const [k, feed] of (entry.feeds ?? []).entries()) {
    if ('file' in feed) {
      const name = ctx.displayPath(feed.file);
      const progress = ctx.readProgress?.(`reading ${name}`);
      try {
        const read = await readCidrFeed(ctx.resolvePath(feed.file), { source: name, lenient: entry.lenient, hostBitsHint: lenientHint(ctx), into: list, onProgress: progress?.onProgress }).catch((err: unknown) => {
          if (!(err instanceof FileReadError)) throw err;
          throw new NetsecError('CONFIG', `cannot read the feed '${name}' (${err.osReason}); expected a readable file, its path relative to ${ctx.configName}'s folder${notExpanded(feed.file)}; fix the path or create the file`, ctx.where(`/feeds/${k}/file`), { cause: err });
        });
        note(read.warnings);
      } finally {
        progress?.done();
      }
    } else {
      const { directory, countries, match } = feed.maxmind;
      const name = ctx.displayPath(directory);
      const progress = ctx.readProgress?.(`reading ${name}`);
      try {
        await readMaxMindCountries({
          directory: ctx.resolvePath(directory), directoryName: name, countries, match, into: list, onProgress: progress?.onProgress,
          locateCountry: (c) => ctx.where(`/feeds/${k}/maxmind/countries/${c}`),
        }).catch((err: unknown) => {
          if (!(err instanceof FileReadError)) throw err;
          throw new NetsecError('CONFIG', `cannot read '${err.location?.file}' (${err.osReason}); expected the GeoLite2 Country CSV files in '${name}', relative to ${ctx.configName}'s folder${notExpanded(directory)}; fix maxmind.directory or add the file`, ctx.where(`/feeds/${k}/maxmind/directory`), { cause: err });
        });
      } finally {
        progress?.done();
      }
    }
  }
  return { list, warnings };
}

/** `egressBlocking:` blocks egress to CIDR lists on every Cilium and Calico target. */
export const egressBlockingSection: ConfigSection<EgressBlockingEntry> = {
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
        name: { ...DNS_LABEL, description: 'Name of the block: names its objects and the owner label policy: <name>.' },
        targets: TARGETS_PROPERTY,
        suppress: SUPPRESS_PROPERTY,
        cidrs: { type: 'array', items: { type: 'string' }, description: 'Prefixes or addresses to block.' },
        feeds: {
          type: 'array',
          description: 'Files to read prefixes from: {file} plain lists, {maxmind} countries of a GeoLite2 Country CSV release.',
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
                    description: 'The prefixes of some countries, from GeoLite2-Country-Blocks-IPv4.csv, -IPv6.csv and -Locations-en.csv.',
                    required: ['directory', 'countries'],
                    properties: {
                      directory: { type: 'string', description: 'Folder with the GeoLite2 Country CSV files.' },
                      countries: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Za-z]{2}$' }, description: 'ISO 3166-1 alpha-2 codes, e.g. NL.' },
                      match: { enum: Object.values(CountryMatch), description: 'Which id must name the country: located (geoname_id), registered (registered_country_geoname_id) or either. Default: located.' },
                    },
                  },
                },
              },
            ],
          },
        },
        except: { type: 'array', items: { type: 'string' }, description: 'Prefixes to leave out of the block. Default: none.' },
        lenient: { type: 'boolean', description: 'Normalise prefixes with host bits set (one warning per line) instead of failing.' },
        labels: { ...STRING_MAP, description: 'Labels on every object; the owner label policy: <name> is always added.' },
        metadata: { ...METADATA_PROPERTY, description: 'Labels and annotations of every object the block writes (groups or network sets, policies, tier); metadata.labels merge with labels (a key in both must have the same value).' },
        allowEmpty: { type: 'boolean', description: 'Accept an empty block list (refused by default: an empty CIDR group once opened the host firewall). Default: false.' },
        allowDefaultRoute: { type: 'boolean', description: 'Accept 0.0.0.0/0 or ::/0 in the list. Default: false.' },
        allowClusterOverlap: { type: 'boolean', description: "Accept prefixes that overlap the target's cluster.podCidrs, serviceCidrs or apiServerCidrs. Default: false." },
        allowHugeBlock: { type: 'boolean', description: 'Accept a list that covers more than half of the IPv4 or IPv6 address space (after except).' },
        endpointSelector: { ...LABEL_SELECTOR, description: 'The pods whose egress is blocked (Cilium endpointSelector, Calico selector). Default: every pod.' },
        cilium: {
          type: 'object',
          additionalProperties: false,
          description: 'Settings for Cilium targets.',
          properties: {
            endpointSelector: { ...LABEL_SELECTOR, description: 'Cilium only; a Calico target refuses it. Prefer endpointSelector on the entry, which scopes both.' },
            reference: { enum: Object.values(CidrGroupReference), description: 'ref: one cidrGroupRef per group (every line). selector: one cidrGroupSelector on the owner label (Cilium 1.17+). Default: ref.' },
          },
        },
        calico: {
          type: 'object',
          additionalProperties: false,
          description: 'Settings for Calico targets.',
          properties: {
            design: { enum: Object.values(CalicoBlockDesign), description: 'tiered (its own policy tier; Calico 3.30+) or default-tier. Default: tiered where the target has tiers, else default-tier.' },
            log: { type: 'boolean', description: 'A Log rule before the Deny. Default: true.' },
            tier: {
              type: 'object',
              additionalProperties: false,
              description: 'The tier of the tiered design. Default: {name: egress-blocking, order: 100}.',
              properties: { name: { ...DNS_LABEL, description: 'Tier name. Default: egress-blocking.' }, order: { type: 'number', description: 'Tier order (lower runs first). Default: 100.' } },
            },
            allowPolicyName: { ...DNS_LABEL, description: 'Name of the allow-all policy of the default-tier design. Default: <name>-allow.' },
            api: { enum: Object.values(CalicoApi), description: 'crd.projectcalico.org/v1, or the native projectcalico.org/v3 (Calico 3.32+). Default: crd.projectcalico.org/v1.' },
          },
        },
      },
    },
  },
  needs: [Product.CILIUM, Product.CALICO],
  objects: (entry) => [{ label: `egress block '${entry.name}'`, pointer: '/name' }],
  async build(ctx, entry) {
    const { target } = ctx;
    // Read and aggregated once for all targets; locations do not depend on the target.
    const { cidrs, warnings } = await ctx.once(entry, async () => {
      const read = await readEntryCidrs(entry, ctx);
      // The blocks parse except strictly (lenient is for the block list); checked here to locate a bad item.
      if (entry.except?.length) checkCidrList(ctx, 'except', entry.except);
      return { cidrs: aggregate(read.list, { reuseInput: true }).set, warnings: read.warnings };
    });
    const chart = ctx.chart(EGRESS_BLOCKING_COMPONENT);
    const common = {
      name: entry.name, cidrs, except: entry.except, labels: entry.labels, metadata: entry.metadata,
      allowEmpty: entry.allowEmpty, allowDefaultRoute: entry.allowDefaultRoute, allowClusterOverlap: entry.allowClusterOverlap, allowHugeBlock: entry.allowHugeBlock,
    };
    const scope = entry.endpointSelector ?? entry.cilium?.endpointSelector;
    const endpointSelector = scope && EndpointSelector.of({ labels: scope.matchLabels, expressions: scope.matchExpressions as LabelExpression[] | undefined });
    const blocks = [];
    if (target.runs(Product.CILIUM)) {
      blocks.push(new CiliumEgressBlock(chart, constructId('Cilium', entry.name), { ...common, reference: entry.cilium?.reference, endpointSelector }));
    }
    if (target.runs(Product.CALICO)) {
      if (entry.cilium?.endpointSelector && !entry.endpointSelector) {
        throw new NetsecError('CONFIG', `${ctx.label}.cilium.endpointSelector scopes the block on Cilium only, but target '${target.name}' runs Calico, where the block would cover every endpoint; expected the scope for both products; move it to ${ctx.label}.endpointSelector`, ctx.where('/cilium/endpointSelector', true));
      }
      const calicoScope = endpointSelector && calicoSelectorOf(endpointSelector, `${ctx.label}.endpointSelector`);
      blocks.push(new CalicoEgressBlock(chart, constructId('Calico', entry.name), { ...common, ...entry.calico, endpointSelector: calicoScope }));
    }
    for (const w of warnings) for (const b of blocks) addWarning(b, w);
  },
};
