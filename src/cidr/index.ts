/**
 * The CIDR engine: parse feeds, aggregate to the minimal cover, subtract exclusions, shard under object-size
 * budgets, and refuse dangerous block lists.
 */
export { formatCount } from '../core/errors.js';
export { formatAddressCount, formatIPv4, formatIPv4Prefix, formatIPv6, formatIPv6Prefix } from './format.js';
export { PrefixList } from './prefix-list.js';
export { type CidrDiagnostic, CidrParseError, DEFAULT_MAX_ERRORS, formatDiagnostic, isCidrText, parseCidrList, type ParseCidrListOptions, parseCidrs, type ParseCidrsOptions, type ParseCidrsResult } from './parse.js';
export { Cidr, type CidrParseOptions } from './cidr.js';
export { CidrSet } from './cidr-set.js';
export { aggregate, type AggregateOptions, type AggregateResult, type AggregateStats, type ExclusionInput, type FamilyAggregateStats, toCidrSet, toExclusionSet, union } from './aggregate.js';
export { intersect, subtract } from './exclude.js';
export { FileReadError, type ProgressCallback } from './feeds/read.js';
export { readCidrFeed, type ReadCidrFeedOptions, readCidrLines, STDIN_SOURCE } from './feeds/plain.js';
export { CountryMatch, GEOLITE2_COUNTRY_FILES, type MaxMindCountry, type MaxMindCountryOptions, type MaxMindCountryResult, readMaxMindCountries } from './feeds/maxmind.js';
export { type CidrShard, CLIENT_SIDE_APPLY_BUDGET, SERVER_SIDE_APPLY_BUDGET, shardCidrs, type ShardCidrsOptions } from './shard.js';
export { assertSafeBlockList, type BlockListCheckOptions, type CidrRefusal, findRefusals, type NamedCidr } from './refusals.js';

