import { describe, expect, test } from 'vitest';
import { CiliumNetworkPolicy, NetsecError, OWNER_LABEL, PolicyDefault, ResourceMetadataProps, SUPPRESS_ANNOTATION } from '../../src/index.js';
import { findOne, synthValid, targetChart } from '../util.js';

const cilium = () => targetChart({ name: 'aks-cilium', kubernetes: '1.30', cilium: '1.17' });
const WHO = "CiliumNetworkPolicy 'default/web'";

/** The error a CiliumNetworkPolicy 'default/web' with `metadata` throws (fails the test if none). */
function refusal(metadata: ResourceMetadataProps): NetsecError {
  try {
    new CiliumNetworkPolicy(cilium().chart, 'Web', { metadata });
  } catch (err) {
    expect(err).toBeInstanceOf(NetsecError);
    expect((err as NetsecError).code).toBe('INVALID');
    return err as NetsecError;
  }
  throw new Error('expected a refusal');
}

describe('metadata: the checks every construct shares (src/core/resource-metadata.ts)', () => {
  test('labels and annotations in the Kubernetes grammar pass, annotation values of any text included', () => {
    const { app, chart } = cilium();
    const annotations = { 'argocd.argoproj.io/sync-wave': '-1', 'example.com/owner-note': 'Team Net: {"pager": "#net"}\nsecond line', plain: '' };
    const labels = { 'app.kubernetes.io/part-of': 'net-sec', team: 'Net_Sec.1', empty: '' };
    new CiliumNetworkPolicy(chart, 'Web', { egressDefault: PolicyDefault.DENY, metadata: { labels, annotations } });
    expect(findOne(synthValid(app).objects, 'CiliumNetworkPolicy').metadata).toEqual({ name: 'web', namespace: 'default', labels, annotations });
  });

  test.each<[string, ResourceMetadataProps, string]>([
    [
      'a label key with a space',
      { labels: { 'team name': 'net' } },
      `${WHO}: metadata.labels key 'team name' is not a valid label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain.`,
    ],
    [
      'a label key with an uppercase prefix',
      { labels: { 'Example.com/team': 'net' } },
      `${WHO}: metadata.labels key 'Example.com/team' is not a valid label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain.`,
    ],
    [
      'a label key with two slashes',
      { labels: { 'a/b/c': 'net' } },
      `${WHO}: metadata.labels key 'a/b/c' is not a valid label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain.`,
    ],
    [
      'a label value with a space',
      { labels: { team: 'net sec' } },
      `${WHO}: metadata.labels 'team' is 'net sec', which is not a valid label value; expected at most 63 characters of [A-Za-z0-9_.-], beginning and ending with a letter or digit, or empty.`,
    ],
    [
      'a label value of 64 characters',
      { labels: { team: 'a'.repeat(64) } },
      `${WHO}: metadata.labels 'team' is '${'a'.repeat(64)}', which is not a valid label value; expected at most 63 characters of [A-Za-z0-9_.-], beginning and ending with a letter or digit, or empty.`,
    ],
    [
      'a label value ending in a dash',
      { labels: { team: 'net-' } },
      `${WHO}: metadata.labels 'team' is 'net-', which is not a valid label value; expected at most 63 characters of [A-Za-z0-9_.-], beginning and ending with a letter or digit, or empty.`,
    ],
    [
      'an annotation key ending in a slash',
      { annotations: { 'example.com/': 'x' } },
      `${WHO}: metadata.annotations key 'example.com/' is not a valid annotation key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain.`,
    ],
    [
      'an annotation value that is a number (JavaScript callers, YAML)',
      { annotations: { 'argocd.argoproj.io/sync-wave': -1 as unknown as string } },
      `${WHO}: metadata.annotations 'argocd.argoproj.io/sync-wave' must be a string (got number); quote it, e.g. '"-1"'.`,
    ],
    [
      'a label value that is a boolean',
      { labels: { critical: true as unknown as string } },
      `${WHO}: metadata.labels 'critical' must be a string (got boolean); quote it, e.g. '"true"'.`,
    ],
    [
      'labels given as a list',
      { labels: ['team=net'] as unknown as Record<string, string> },
      `${WHO}: metadata.labels must be an object of string keys and values (got an array).`,
    ],
    [
      "the egress blocks' owner label",
      { labels: { [OWNER_LABEL]: 'geo' } },
      `${WHO}: metadata.labels key 'netsec.io/egress-block' is netsec's own: netsec sets it to an egress block's name on the block's objects, so that the block's policy selects only its own CIDR groups or network sets; choose the block by its name instead.`,
    ],
    [
      'the suppress annotation netsec validate reads',
      { annotations: { [SUPPRESS_ANNOTATION]: 'cilium/cidr-identity-cost: known and accepted' } },
      `${WHO}: metadata.annotations key 'netsec.io/suppress' is netsec's own: netsec validate reads lint suppressions from it; suppress findings with suppressRules(construct, [{ id, reason }]) (or 'suppress:' in netsec.yaml) instead.`,
    ],
    [
      'any other key under netsec.io/',
      { annotations: { 'netsec.io/owner': 'net' } },
      `${WHO}: metadata.annotations key 'netsec.io/owner' is under 'netsec.io/', the prefix netsec keeps for its own labels and annotations; use a prefix of your own (e.g. 'example.com/owner').`,
    ],
    [
      'a key with a control character (echoed escaped)',
      { labels: { 'team\u001b[31m': 'net' } },
      `${WHO}: metadata.labels key 'team\\x1b[31m' is not a valid label key; expected [prefix/]name, the name at most 63 characters of [A-Za-z0-9_.-] beginning and ending with a letter or digit, the optional prefix a DNS-1123 subdomain.`,
    ],
  ])('refuses %s, naming the construct, the key and what was expected', (_, metadata, message) => {
    expect(refusal(metadata).message).toBe(message);
  });

  test('the reserved keys are the ones netsec reads: the owner label of egress blocks and the suppress annotation', () => {
    expect(refusal({ labels: { [OWNER_LABEL]: 'x' } }).message).toContain("is netsec's own: netsec sets it to an egress block's name");
    expect(refusal({ annotations: { [SUPPRESS_ANNOTATION]: 'x' } }).message).toContain("is netsec's own: netsec validate reads lint suppressions");
    // The same keys are netsec's own as labels or as annotations.
    expect(refusal({ annotations: { [OWNER_LABEL]: 'x' } }).message).toContain("metadata.annotations key 'netsec.io/egress-block' is netsec's own");
  });
});
