import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetsecError } from '../../src/core/errors.js';
import { assertSafeBlockList, Cidr, CidrSet, findRefusals, toCidrSet } from '../../src/cidr/index.js';
import { cannotCoverDefaultRoute } from '../../src/cidr/refusals.js';

const cluster = [
  { cidr: '10.0.0.0/16', name: 'pod CIDR' },
  { cidr: '10.96.0.0/12', name: 'service CIDR' },
  '192.0.2.10',
  Cidr.parse('fd00::/108'),
];

describe('refusals', () => {
  it('refuses an empty list', () => {
    expect(findRefusals(CidrSet.EMPTY, { name: "CiliumCIDRGroup 'geo-block'" })).toEqual([{
      rule: 'empty',
      message: "CiliumCIDRGroup 'geo-block' is empty; expected at least one prefix (an empty CIDR group has opened a host firewall, cilium#25122; set allowEmpty to accept it)",
    }]);
    expect(findRefusals(CidrSet.EMPTY, { allowEmpty: true })).toEqual([]);
  });

  it('refuses the default routes', () => {
    const set = toCidrSet(['0.0.0.0/0', '::/0']);
    expect(findRefusals(set).map((r) => r.message)).toEqual([
      "block list contains '0.0.0.0/0'; expected specific prefixes (blocking every IPv4 address cuts the cluster off; set allowDefaultRoute to accept it)",
      "block list contains '::/0'; expected specific prefixes (blocking every IPv6 address cuts the cluster off; set allowDefaultRoute to accept it)",
    ]);
    expect(findRefusals(set, { allowDefaultRoute: true, allowClusterOverlap: true })).toEqual([]);
  });

  it('refuses overlap with cluster CIDRs, naming both sides', () => {
    const set = toCidrSet(['10.0.0.0/8', '192.0.2.0/24', '198.51.100.0/24', 'fd00::/8']);
    expect(findRefusals(set, { clusterCidrs: cluster })).toEqual([
      {
        rule: 'cluster-overlap', prefix: '10.0.0.0/8', clusterCidr: '10.0.0.0/16',
        message: "block list prefix '10.0.0.0/8' overlaps cluster CIDR '10.0.0.0/16' (pod CIDR); expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)",
      },
      {
        rule: 'cluster-overlap', prefix: '10.0.0.0/8', clusterCidr: '10.96.0.0/12',
        message: "block list prefix '10.0.0.0/8' overlaps cluster CIDR '10.96.0.0/12' (service CIDR); expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)",
      },
      {
        rule: 'cluster-overlap', prefix: '192.0.2.0/24', clusterCidr: '192.0.2.10/32',
        message: "block list prefix '192.0.2.0/24' overlaps cluster CIDR '192.0.2.10/32'; expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)",
      },
      {
        rule: 'cluster-overlap', prefix: 'fd00::/8', clusterCidr: 'fd00::/108',
        message: "block list prefix 'fd00::/8' overlaps cluster CIDR 'fd00::/108'; expected no cluster addresses in a block list (add the cluster CIDR to except, or set allowClusterOverlap to accept it)",
      },
    ]);
  });

  it('counts every overlapping prefix inside a cluster CIDR', () => {
    const set = toCidrSet(['10.0.1.0/24', '10.0.3.0/24', '10.0.5.0/24', '10.1.0.0/24', '2001:db8::/48', '2001:db8:2::/48']);
    const r = findRefusals(set, { clusterCidrs: ['10.0.0.0/16', '2001:db8::/32'] });
    expect(r.map((x) => x.message.split(';')[0])).toEqual([
      "block list prefix '10.0.1.0/24' (and 2 more) overlaps cluster CIDR '10.0.0.0/16'",
      "block list prefix '2001:db8::/48' (and 1 more) overlaps cluster CIDR '2001:db8::/32'",
    ]);
  });

  it('passes a safe list and throws INVALID with every refusal otherwise', () => {
    expect(() => assertSafeBlockList(toCidrSet(['198.51.100.0/24']), { clusterCidrs: cluster })).not.toThrow();
    try {
      assertSafeBlockList(toCidrSet(['0.0.0.0/0']), { clusterCidrs: ['10.0.0.0/16'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NetsecError);
      expect((e as NetsecError).code).toBe('INVALID');
      expect((e as NetsecError).message.split('\n')).toHaveLength(2);
    }
  });
});

describe('cannotCoverDefaultRoute (a shortcut for callers that look only for a default route)', () => {
  it('is true for lists whose sizes add up to less than a family', () => {
    expect(cannotCoverDefaultRoute([])).toBe(true);
    expect(cannotCoverDefaultRoute(['192.0.2.0/24', '2001:db8::/32', '0.0.0.0/1'])).toBe(true);
    // Halves down to a /29: 2^32 - 8 addresses, below the family's size by more than the rounding margin (2^32 * 2^-30).
    expect(cannotCoverDefaultRoute(Array.from({ length: 29 }, (_, i) => `${i}.0.0.0/${i + 1}`))).toBe(true);
    // Down to a /32, one address short: within the margin, so not known from the sizes (the caller parses).
    expect(cannotCoverDefaultRoute(Array.from({ length: 32 }, (_, i) => `${i}.0.0.0/${i + 1}`))).toBe(false);
  });

  it('is false when the sizes reach a whole family, even with overlaps', () => {
    expect(cannotCoverDefaultRoute(['0.0.0.0/1', '128.0.0.0/1'])).toBe(false);
    expect(cannotCoverDefaultRoute(['0.0.0.0/1', '0.0.0.0/1'])).toBe(false); // same half twice: not a cover, but not known from sizes
    expect(cannotCoverDefaultRoute(['::/1', '8000::/1'])).toBe(false);
    expect(cannotCoverDefaultRoute(['0.0.0.0/0'])).toBe(false);
  });

  it('is false (not known) for text that is not address/length', () => {
    expect(cannotCoverDefaultRoute(['192.0.2.1'])).toBe(false);
    expect(cannotCoverDefaultRoute(['192.0.2.0/x'])).toBe(false);
    expect(cannotCoverDefaultRoute(['192.0.2.0/'])).toBe(false);
    expect(cannotCoverDefaultRoute(['192.0.2.0/0024'])).toBe(false);
    expect(cannotCoverDefaultRoute([24])).toBe(false);
  });

  it('adds up several lists as one (the groups one deny rule references)', () => {
    expect(cannotCoverDefaultRoute(['0.0.0.0/1'], ['128.0.0.0/1'])).toBe(false);
    expect(cannotCoverDefaultRoute(['0.0.0.0/1'], [], ['2001:db8::/32'])).toBe(true);
    // The property behind it: for any split of a list, the verdict is the list's own.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, l]) => `${a}/${l}`), { maxLength: 8 }), fc.nat(8), (list, cut) => {
        expect(cannotCoverDefaultRoute(list.slice(0, cut), list.slice(cut))).toBe(cannotCoverDefaultRoute(list));
      }),
    );
  });
});
