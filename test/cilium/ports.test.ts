import { expect, test } from 'vitest';
import { Port, Protocol } from '../../src/index.js';

test('ports render as Cilium strings with an explicit protocol', () => {
  expect(Port.tcp(443)._toKube()).toEqual({ port: '443', protocol: 'TCP' });
  expect(Port.anyProtocol(53)._toKube()).toEqual({ port: '53', protocol: 'ANY' });
  expect(Port.udpRange(30000, 32767)._toKube()).toEqual({ port: '30000', endPort: 32767, protocol: 'UDP' });
  expect(Port.named('http', Protocol.TCP).toString()).toBe('http/TCP');
  expect(Port.of({ port: '8080', protocol: Protocol.SCTP }).toString()).toBe('8080/SCTP');
  expect(Port.tcpRange(80, 80).endPort).toBeUndefined();
});

test('covers() follows ANY, ranges and names', () => {
  expect(Port.anyProtocol(53).covers(53, Protocol.UDP)).toBe(true);
  expect(Port.tcp(53).covers(53, Protocol.UDP)).toBe(false);
  expect(Port.tcpRange(1, 1024).covers(53, Protocol.TCP)).toBe(true);
  expect(Port.named('dns', Protocol.UDP).covers(53, Protocol.UDP)).toBe(false);
});

test.each([
  [() => Port.tcp(70000), "Port 70000/TCP: 'port' must be 1-65535 (got 70000)."],
  [() => Port.udp(0), "Port 0/UDP: 'port' must be 1-65535 (got 0)."],
  [() => Port.tcpRange(8080, 8000), "Port 8080-8000/TCP: 'endPort' must not be below 'port' (got 8000 < 8080). Did you mean 8000-8080?"],
  [() => Port.named('HTTP_1', Protocol.TCP), "Port 'HTTP_1'/TCP: a port name must be an IANA service name: at most 15 characters of a-z, 0-9 and '-', with at least one letter, no '--' and no '-' at either end."],
  [() => Port.of({ port: 'http', endPort: 90, protocol: Protocol.TCP }), "Port 'http'-90/TCP: 'endPort' works only with a numeric port; Cilium ignores it for the named port 'http'."],
  [() => Port.of({ port: 80, protocol: 'ICMP' as Protocol }), "Port 80/ICMP: 'protocol' must be one of TCP, UDP, SCTP, ANY (got 'ICMP')."],
])('bad port %#', (fn, message) => {
  expect(fn).toThrow(message);
});
