import { NetsecError, echo } from './errors.js';

/** The products whose versions a target names. */
export enum Product {
  KUBERNETES = 'kubernetes',
  CILIUM = 'cilium',
  CALICO = 'calico',
  ISTIO = 'istio',
}

/** Human names used in messages. */
export const PRODUCT_NAMES: Record<Product, string> = {
  [Product.KUBERNETES]: 'Kubernetes',
  [Product.CILIUM]: 'Cilium',
  [Product.CALICO]: 'Calico',
  [Product.ISTIO]: 'Istio',
};

/** Supported minor lines per product (product guide, "Target profiles and capability gates"). */
export const SUPPORTED_LINES: Record<Product, { readonly first: string; readonly last: string }> = {
  [Product.KUBERNETES]: { first: '1.28', last: '1.34' },
  [Product.CILIUM]: { first: '1.16', last: '1.20' },
  [Product.CALICO]: { first: '3.28', last: '3.32' },
  [Product.ISTIO]: { first: '1.23', last: '1.30' },
};

/** A `major.minor` version line, optionally with the patch the user gave. Compared numerically, never as strings. */
export class VersionLine {
  /**
   * Parses `1.17`, `1.17.3`, `v1.17.3` or `3.30`. Throws on anything else.
   * @param who names the input in the error message, e.g. `target 'aks' cilium`
   */
  public static parse(text: string | number, who: string): VersionLine {
    const raw = String(text).trim();
    // Semver's numbers: no leading zeros ('1.017' is not 1.17), and short enough to stay exact (a 20-digit patch was
    // rounded, and the header named a version nobody wrote).
    const m = /^v?(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:\.(0|[1-9]\d{0,8}))?$/.exec(raw);
    if (!m) {
      throw new NetsecError('CONFIG', `${who}: '${echo(raw)}' is not a version; expected 'major.minor' or 'major.minor.patch' without leading zeros, e.g. '1.17' or '1.17.3'.`);
    }
    return new VersionLine(Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3]));
  }

  private constructor(
    public readonly major: number,
    public readonly minor: number,
    public readonly patch?: number,
  ) {}

  /** `major.minor`, the key of every table. */
  public get line(): string {
    return `${this.major}.${this.minor}`;
  }

  /** Negative, zero or positive as this line is older than, equal to or newer than `other` (patch ignored). */
  public compare(other: VersionLine | string): number {
    const o = typeof other === 'string' ? VersionLine.parse(other, 'version') : other;
    return this.major - o.major || this.minor - o.minor;
  }

  public atLeast(other: VersionLine | string): boolean {
    return this.compare(other) >= 0;
  }

  public toString(): string {
    return this.patch === undefined ? this.line : `${this.line}.${this.patch}`;
  }
}
