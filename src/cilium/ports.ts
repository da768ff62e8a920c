import { NetsecError } from '../core/errors.js';

/**
 * L4 protocols of a Cilium port rule that every supported line accepts (domain-notes §B.4). An omitted protocol is
 * `ANY` in Cilium, which HTTP rules refuse; netsec therefore always writes the protocol.
 */
export enum Protocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
  /** TCP, UDP and SCTP. */
  ANY = 'ANY',
}

/** Properties for `Port.of`. */
export interface PortOptions {
  /** A port number (1-65535) or an IANA service name of a container port (e.g. 'http'). */
  readonly port: number | string;
  /** The last port of a range (inclusive); only with a numeric port. @default - a single port */
  readonly endPort?: number;
  /** The protocol. */
  readonly protocol: Protocol;
}

// apimachinery IsValidPortName (domain-notes §B.1): at most 15 characters of [-a-z0-9], at least one letter, no '--',
// no '-' at either end.
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A number for the numeric factories: from JavaScript, `Port.tcp('https')` had become a named port and
 * `Port.tcpRange(1000, undefined)` a single port. Names go through `Port.named`.
 */
function numeric(factory: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new NetsecError('INVALID', `${factory}(${JSON.stringify(value) ?? String(value)}): expected a port number; for a named port use Port.named(name, protocol).`);
  }
  return value;
}

/**
 * A port (or port range) and protocol of a Cilium rule's `toPorts[].ports[]`. Stricter than Cilium, whose CRD pattern
 * accepts strings such as '80abc': a number from 1 to 65535, or a valid port name.
 */
export class Port {
  /** @example Port.tcp(443) */
  public static tcp(port: number): Port {
    return Port.of({ port: numeric('Port.tcp', port), protocol: Protocol.TCP });
  }

  /** @example Port.udp(123) */
  public static udp(port: number): Port {
    return Port.of({ port: numeric('Port.udp', port), protocol: Protocol.UDP });
  }

  /** @example Port.sctp(9899) */
  public static sctp(port: number): Port {
    return Port.of({ port: numeric('Port.sctp', port), protocol: Protocol.SCTP });
  }

  /**
   * One port for TCP, UDP and SCTP (`protocol: ANY`). Not allowed with HTTP rules.
   * @example Port.anyProtocol(53)
   */
  public static anyProtocol(port: number): Port {
    return Port.of({ port: numeric('Port.anyProtocol', port), protocol: Protocol.ANY });
  }

  /** @example Port.tcpRange(8000, 8080) */
  public static tcpRange(from: number, to: number): Port {
    return Port.of({ port: numeric('Port.tcpRange', from), endPort: numeric('Port.tcpRange', to), protocol: Protocol.TCP });
  }

  /** @example Port.udpRange(30000, 32767) */
  public static udpRange(from: number, to: number): Port {
    return Port.of({ port: numeric('Port.udpRange', from), endPort: numeric('Port.udpRange', to), protocol: Protocol.UDP });
  }

  /**
   * A named container port, resolved against the destination pods' container ports.
   * @example Port.named('http', Protocol.TCP)
   */
  public static named(name: string, protocol: Protocol): Port {
    return Port.of({ port: name, protocol });
  }

  /** Any of the above, from plain values (netsec.yaml uses this). */
  public static of(options: PortOptions): Port {
    const { port, endPort, protocol } = options;
    const who = `Port ${typeof port === 'string' ? `'${port}'` : port}${endPort !== undefined ? `-${endPort}` : ''}/${protocol}`;
    if (!Object.values(Protocol).includes(protocol)) {
      throw new NetsecError('INVALID', `${who}: 'protocol' must be one of ${Object.values(Protocol).join(', ')} (got '${String(protocol)}').`);
    }
    if (typeof port === 'number') {
      checkNumber(who, 'port', port);
      if (endPort !== undefined) {
        checkNumber(who, 'endPort', endPort);
        if (endPort < port) throw new NetsecError('INVALID', `${who}: 'endPort' must not be below 'port' (got ${endPort} < ${port}). Did you mean ${endPort}-${port}?`);
      }
      return new Port(String(port), endPort === undefined || endPort === port ? undefined : endPort, protocol);
    }
    if (/^\d+$/.test(port)) return Port.of({ port: Number(port), endPort, protocol });
    if (port.length > 15 || !PORT_NAME.test(port) || !/[a-z]/.test(port) || port.includes('--')) {
      throw new NetsecError('INVALID', `${who}: a port name must be an IANA service name: at most 15 characters of a-z, 0-9 and '-', with at least one letter, no '--' and no '-' at either end.`);
    }
    if (endPort !== undefined) {
      throw new NetsecError('INVALID', `${who}: 'endPort' works only with a numeric port; Cilium ignores it for the named port '${port}'.`);
    }
    return new Port(port, undefined, protocol);
  }

  /** The port number or name, as Cilium's YAML has it (a string). */
  public readonly port: string;
  /** The end of a range. */
  public readonly endPort?: number;
  public readonly protocol: Protocol;

  private constructor(port: string, endPort: number | undefined, protocol: Protocol) {
    this.port = port;
    this.endPort = endPort;
    this.protocol = protocol;
  }

  /** Whether the port is a name rather than a number. */
  public get isNamed(): boolean {
    return !/^\d+$/.test(this.port);
  }

  /** Whether this port rule lets through `port`/`protocol` (a named port never matches a number). */
  public covers(port: number, protocol: Protocol.TCP | Protocol.UDP | Protocol.SCTP): boolean {
    if (this.isNamed) return false;
    if (this.protocol !== Protocol.ANY && this.protocol !== protocol) return false;
    const first = Number(this.port);
    return port >= first && port <= (this.endPort ?? first);
  }

  /** e.g. `53/UDP`, `8000-8080/TCP`, `http/TCP`. */
  public toString(): string {
    return `${this.port}${this.endPort !== undefined ? `-${this.endPort}` : ''}/${this.protocol}`;
  }

  /** @internal */
  public _toKube(): { port: string; endPort?: number; protocol: string } {
    return this.endPort === undefined ? { port: this.port, protocol: this.protocol } : { port: this.port, endPort: this.endPort, protocol: this.protocol };
  }
}

function checkNumber(who: string, field: string, n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new NetsecError('INVALID', `${who}: '${field}' must be 1-65535 (got ${n}).`);
  }
}
