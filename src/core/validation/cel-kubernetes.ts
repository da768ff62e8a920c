// The Kubernetes CEL library functions that the vendored CRDs' rules use and @bufbuild/cel does not have.
// The API server's CEL environment is cel-go's standard library plus its strings extension (both in @bufbuild/cel)
// plus Kubernetes' own libraries (https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-cel-libraries). Only
// the functions some vendored rule calls are implemented here: test/upstream/cel-coverage.test.ts fails when a newly
// vendored rule calls anything else, so a missing function is never skipped silently.
import type { CelFunc, CelValue } from '@bufbuild/cel';

/** The bits of @bufbuild/cel this module builds functions with (passed in: the library is loaded lazily). */
export interface CelFuncFactory {
  celFunc: typeof import('@bufbuild/cel').celFunc;
  celMethod: typeof import('@bufbuild/cel').celMethod;
  CelScalar: typeof import('@bufbuild/cel').CelScalar;
  isCelMap: typeof import('@bufbuild/cel').isCelMap;
}

/**
 * A parsed URL is a map holding its scheme under this key. @bufbuild/cel has no opaque value types, and the key
 * cannot be written in a rule (it starts with a NUL character), so `getScheme()` recognises URLs by it and refuses
 * every other map, as cel-go refuses a call with no matching overload.
 */
const URL_SCHEME_KEY = '\u0000kubernetes.URL.scheme';

/**
 * Kubernetes URL library (https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-url-library,
 * k8s.io/apiserver/pkg/cel/library/urls.go): `url(string)`, `isURL(string)` and `<URL>.getScheme()`, the ones the
 * vendored Istio rules call (WasmPlugin and TrafficExtension `url`, RequestAuthentication `jwksUri`).
 */
export function kubernetesUrlFunctions(cel: CelFuncFactory): CelFunc[] {
  const { celFunc, celMethod, CelScalar, isCelMap } = cel;
  return [
    // url(<string>) <URL>: "Converts a string to a URL or results in an error if the string is not a valid URL. The URL
    // must be an absolute URI or an absolute path." urls.go checks with Go's url.ParseRequestURI, then parses again with
    // url.Parse (which also unescapes a #fragment).
    celFunc('url', [CelScalar.STRING], CelScalar.DYN, (s: string) => {
      try {
        const { scheme } = parseRequestUri(s);
        const hash = s.indexOf('#');
        if (hash >= 0) unescape(s.slice(hash + 1), 'fragment');
        return new Map([[URL_SCHEME_KEY, scheme]]);
      } catch (err) {
        // urls.go's text around Go's *url.Error (`parse "<url>": <reason>`).
        throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: ${(err as Error).message}`);
      }
    }),
    // isURL(<string>) <bool>: "Returns true if a string is a valid URL. The URL must be an absolute URI or an absolute path."
    celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s: string) => {
      try {
        parseRequestUri(s);
        return true;
      } catch {
        return false;
      }
    }),
    // <URL>.getScheme() <string>: "If absent in the URL, returns an empty string."
    celMethod('getScheme', CelScalar.DYN, [], CelScalar.STRING, function (this: CelValue) {
      const scheme = isCelMap(this) ? this.get(URL_SCHEME_KEY) : undefined;
      if (typeof scheme !== 'string') throw new Error("no such overload: getScheme() applies to a URL (url('...'))");
      return scheme;
    }),
  ];
}

/**
 * Go's `net/url.ParseRequestURI` (src/net/url/url.go `parse(rawURL, viaRequest=true)`), reduced to what decides
 * whether it succeeds and which scheme it finds. Throws Go's error text.
 */
export function parseRequestUri(raw: string): { scheme: string } {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error('net/url: invalid control character in URL');
  if (raw === '') throw new Error('empty url');
  if (raw === '*') return { scheme: '' };
  let scheme = '';
  let rest = raw;
  // getScheme: [a-zA-Z][a-zA-Z0-9+-.]* before the first ':'; anything else means "no scheme".
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new Error('missing protocol scheme');
      scheme = raw.slice(0, i).toLowerCase();
      rest = raw.slice(i + 1);
    }
    break;
  }
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes('?')) rest = rest.slice(0, rest.indexOf('?'));
  if (!rest.startsWith('/')) {
    // "We consider rootless paths per RFC 3986 as opaque."
    if (scheme !== '') return { scheme };
    throw new Error('invalid URI for request');
  }
  if (scheme !== '' && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash >= 0 ? authority.slice(slash) : '';
    if (slash >= 0) authority = authority.slice(0, slash);
    parseAuthority(authority);
  }
  unescape(rest, 'path');
  return { scheme };
}

function parseAuthority(authority: string): void {
  const at = authority.lastIndexOf('@');
  parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at < 0) return;
  const userinfo = authority.slice(0, at);
  // validUserinfo: RFC 3986 §3.2.1 unreserved / pct-encoded / sub-delims / ":" (and '@', which Go lets through).
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw new Error('net/url: invalid userinfo');
  const colon = userinfo.indexOf(':');
  for (const part of colon < 0 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)]) unescape(part, 'userinfo');
}

function parseHost(host: string): void {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) {
      unescape(host.slice(0, zone), 'host');
      unescape(host.slice(zone, close), 'zone');
      unescape(host.slice(close), 'host');
      return;
    }
  } else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1 && !validOptionalPort(host.slice(colon))) throw new Error(`invalid port ${JSON.stringify(host.slice(colon))} after host`);
  }
  unescape(host, 'host');
}

/** "either an empty string or matches /^:\d*$/" */
function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** Go's shouldEscape for the host and zone modes: what may not appear unescaped in a host name. */
function hostCharNeedsEscape(c: string): boolean {
  return !/[A-Za-z0-9!$&'()*+,;=:[\]<>"\-_.~]/.test(c);
}

/** Go's `unescape`: checks every %-escape (and, in a host, every character); the decoded text is not needed. */
function unescape(s: string, mode: 'path' | 'host' | 'zone' | 'userinfo' | 'fragment'): void {
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '%') {
      const escape = s.slice(i, i + 3);
      if (!/^%[0-9A-Fa-f]{2}$/.test(escape)) throw new Error(`invalid URL escape ${JSON.stringify(escape)}`);
      const byte = parseInt(escape.slice(1), 16);
      // RFC 3986: in a host, %-encoding is for non-ASCII bytes only; RFC 6874 adds %25 for IPv6 zones.
      if (mode === 'host' && byte < 0x80 && escape !== '%25') throw new Error(`invalid URL escape ${JSON.stringify(escape)}`);
      // A zone may escape only what could be written plainly in a host name (or a space).
      if (mode === 'zone' && escape !== '%25' && byte !== 0x20 && (byte >= 0x80 || hostCharNeedsEscape(String.fromCharCode(byte)))) {
        throw new Error(`invalid URL escape ${JSON.stringify(escape)}`);
      }
      i += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && hostCharNeedsEscape(c)) {
      throw new Error(`invalid character ${JSON.stringify(c)} in host name`);
    }
    i++;
  }
}
