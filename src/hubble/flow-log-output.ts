import { NetsecError } from '../core/errors.js';
import { stdoutAliasProblem } from '../lint/rules/hubble.js';

/** The folder the Cilium agent writes Hubble files to: the `cilium-run` hostPath mount, visible to node log shippers. */
export const HUBBLE_AGENT_DIR = '/var/run/cilium/hubble';

/**
 * Where one flow log writes: the agent's stdout, or a rotated file in the agent's Hubble folder.
 * Only the literal `stdout` skips the rotating file writer; `/dev/stdout` would go through it, so it is refused.
 */
export class FlowLogOutput {
  /**
   * The cilium-agent container's stdout (`filePath: stdout`), where the cluster's log collector already reads.
   * @example FlowLogOutput.stdout()
   */
  public static stdout(): FlowLogOutput {
    return new FlowLogOutput('stdout', false);
  }

  /**
   * A file under the agent's Hubble folder (`/var/run/cilium/hubble/`), rotated by the agent. Give a file name
   * (`egress.log`) or a full path inside that folder.
   * @example FlowLogOutput.file('egress-denied.log') // filePath: /var/run/cilium/hubble/egress-denied.log
   */
  public static file(path: string): FlowLogOutput {
    const who = `FlowLogOutput.file('${path}')`;
    if (path === 'stdout') {
      throw new NetsecError('INVALID', `${who}: 'stdout' is not a file; the agent's stdout is the default output: in netsec.yaml leave file out, in TypeScript use FlowLogOutput.stdout().`);
    }
    const alias = stdoutAliasProblem(path);
    if (alias) throw new NetsecError('INVALID', `${who}: hubble/filepath-stdout: ${alias}`);
    const full = path.startsWith('/') ? path : `${HUBBLE_AGENT_DIR}/${path}`;
    const rel = full.startsWith(`${HUBBLE_AGENT_DIR}/`) ? full.slice(HUBBLE_AGENT_DIR.length + 1) : undefined;
    if (rel === undefined || rel.length === 0 || rel.split('/').some((p) => p === '' || p === '.' || p === '..') || !/^[A-Za-z0-9._\-/]+$/.test(rel)) {
      throw new NetsecError('INVALID', `${who}: the path must be a file under ${HUBBLE_AGENT_DIR}/ (the agent's hostPath mount; files elsewhere are lost on restart), e.g. 'egress.log' or '${HUBBLE_AGENT_DIR}/egress.log'.`);
    }
    return new FlowLogOutput(full, true);
  }

  private constructor(
    /** The `filePath` value. */
    public readonly filePath: string,
    /** Whether the agent writes a rotated file (false for stdout). */
    public readonly isFile: boolean,
  ) {}
}
