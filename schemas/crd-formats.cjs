// The format checks of netsec's precompiled CRD validators. scripts/compile-validators.mjs copies this file to
// schemas/crd-formats.cjs, where the validators require it at run time (scripts/ is not part of the package).
// OpenAPI formats that the API server itself does not check for these fields (byte, double, float, int-or-string,
// duration, idn-hostname) are accepted as they are: see LENIENT_FORMATS there.
'use strict';
const { isIPv6 } = require('node:net');
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4 or IPv6 prefix with its length, e.g. 10.0.0.0/8 or 2001:db8::/32. */
function cidr(text) {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const len = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len)) return false;
  if (IPV4.test(addr)) return Number(len) <= 32;
  // As Go's net.ParseCIDR, which the API server uses: a full IPv6 parse (one '::' at most, eight groups, an embedded
  // IPv4 tail only at the end), no zone ('%eth0', which Node's isIPv6 allows but ParseCIDR refuses).
  return !addr.includes('%') && isIPv6(addr) && Number(len) <= 128;
}

module.exports = {
  cidr,
  int32: { type: 'number', validate: (n) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 },
  int64: { type: 'number', validate: (n) => Number.isInteger(n) },
};
