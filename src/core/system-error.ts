import { readFileSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { NetsecError, escapeControls } from './errors.js';
import { decodeYamlFile, notTextMessage } from './text-input.js';

/** An error the operating system reported (Node's fs errors carry a `code` such as `ENOSPC` and the failing `syscall`). */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** The OS reason as `CODE: description` (`ENOSPC: no space left on device`), the way `strerror` words it. */
export function systemErrorText(err: NodeJS.ErrnoException & { code: string }): string {
  for (const [name, description] of getSystemErrorMap().values()) if (name === err.code) return `${err.code}: ${description}`;
  // Codes libuv does not know (rare): Node's message starts with "CODE: description, syscall ...".
  const described = /^[A-Z0-9_]+: ([^,]+)/.exec(err.message);
  return described ? `${err.code}: ${described[1]}` : err.code;
}

/** What a user can do about an OS error while netsec writes or reads a folder. */
export function systemErrorHint(code: string, access: 'read' | 'write' = 'write'): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free some disk space and run again';
    case 'EACCES':
    case 'EPERM':
      return access === 'read' ? 'give this user read access there' : 'give this user write access there, or pick another output folder';
    case 'EROFS':
      return 'the file system is read-only; pick an output folder on a writable one';
    case 'EMFILE':
    case 'ENFILE':
      return 'raise the open-file limit (ulimit -n) and run again';
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
    case 'ELOOP':
    case 'ENAMETOOLONG':
      return 'check that every part of the path is a folder (not a file or a link loop) and run again';
    default:
      return 'fix the cause and run again';
  }
}

/**
 * Why an input a user named could not be read, in words for the common cases (`no such file`, `permission denied`,
 * `it is a folder`, `too many symbolic links`), else the OS code; never Node's message, which holds the absolute path.
 * `folderToo`: the path may name a folder as well as a file (`no such file or folder`).
 */
export function readFailureReason(err: unknown, options: { readonly folderToo?: boolean } = {}): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return options.folderToo ? 'no such file or folder' : 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return code ?? String((err as Error | undefined)?.message ?? err);
  }
}

/**
 * Reads a text file a user named (netsec.yaml, a scenario) or throws a CONFIG error at the file: `cannot read the
 * <what> (<why>); expected <expected>; <fix>`, with the reason in plain words for the common cases, or, for a file that
 * is not UTF-8 text (`decodeYamlFile`), at the first byte that shows it.
 */
export function readInputFile(file: string, message: { readonly what: string; readonly expected: string; readonly fix: string }): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new NetsecError('CONFIG', `cannot read the ${message.what} (${readFailureReason(err)}); expected ${message.expected}; ${message.fix}`, { file: escapeControls(file) });
  }
  const decoded = decodeYamlFile(bytes);
  if ('notText' in decoded) {
    const { line, column } = decoded.notText;
    throw new NetsecError('CONFIG', notTextMessage(`the ${message.what}`, decoded.notText, message.expected), { file: escapeControls(file), line, column });
  }
  return decoded.text;
}
