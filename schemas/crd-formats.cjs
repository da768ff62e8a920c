// The format checks of netsec's precompiled CRD validators. scripts/compile-validators.mjs copies this file to
// schemas/crd-formats.cjs, where the validators require it at run time (scripts/ is not part of the package).
// OpenAPI formats that the API server itself does not check for these fields (byte, double, float, int-or-string,
// duration, idn-hostname) are accepted as they are: see LENIENT_FORMATS there.
'use strict';
const { isIPv6 } = require('node:net');
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** 'a.b.c.d/n' without leading zeros: one native regex test (a hand loop measured slower on a cold run). */
const PLAIN_V4_PREFIX = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(?:3[0-2]|[12]?\d)$/;

/**
 * Whether `text` is a prefix in the plain form netsec itself writes: IPv4 'a.b.c.d/n' without leading zeros, or IPv6
 * hex groups (1-4 digits, at most one '::', no embedded IPv4, no zone) with '/n'. One pass over the characters, no
 * allocation: a block list holds hundreds of thousands of these, and the regex-and-slice check below took ~100 ms
 * for 134k prefixes on a cold run (`npm run bench`). Everything it accepts, `cidr` accepts too; anything else
 * (leading zeros, dotted tails, bad text) is left to the full check, which decides.
 */
function plainPrefix(text) {
  const n = text.length;
  let i = 0;
  let c = 0;
  if (text.indexOf(':') < 0) return PLAIN_V4_PREFIX.test(text);
  let groups = 0;
  let doubleColon = false;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    doubleColon = true;
    i = 2;
  }
  while (i < n && text.charCodeAt(i) !== 47) {
    const start = i;
    while (i < n && i - start < 5 && (((c = text.charCodeAt(i)) >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) i++;
    if (i === start || i - start > 4) return false;
    groups++;
    c = text.charCodeAt(i);
    if (c === 47) break;
    if (c !== 58) return false;
    i++;
    if (text.charCodeAt(i) === 58) {
      if (doubleColon) return false;
      doubleColon = true;
      i++;
    } else if (i >= n || text.charCodeAt(i) === 47) {
      return false;
    }
  }
  if (doubleColon ? groups > 7 : groups !== 8) return false;
  return lengthAt(text, i, 128);
}

/** Whether `text` from `i` is '/' and a prefix length up to `max` without leading zeros, and nothing after. */
function lengthAt(text, i, max) {
  if (text.charCodeAt(i) !== 47) return false;
  const n = text.length;
  if (n - i - 1 < 1 || n - i - 1 > 3) return false;
  let v = 0;
  for (let k = i + 1; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57 || (k > i + 1 && v === 0)) return false;
    v = v * 10 + (c - 48);
  }
  return v <= max;
}

/** An IPv4 or IPv6 prefix with its length, e.g. 10.0.0.0/8 or 2001:db8::/32. */
function cidr(text) {
  if (plainPrefix(text)) return true;
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
  plainPrefix,
  int32: { type: 'number', validate: (n) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 },
  int64: { type: 'number', validate: (n) => Number.isInteger(n) },
};
