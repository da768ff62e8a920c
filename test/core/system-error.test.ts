import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readFailureReason, readInputFile } from '../../src/core/system-error.js';

const dir = mkdtempSync(join(tmpdir(), 'netsec-system-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('readFailureReason: why an input could not be read, in words and without the absolute path', () => {
  test('from real reads: a missing file, a folder, a loop of symbolic links, a path through a file', () => {
    writeFileSync(join(dir, 'file'), 'x');
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    const reasons = ['missing', '.', 'loop-a', 'file/below'].map((p) => {
      try {
        readInputFile(join(dir, p), { what: 'thing', expected: 'a file', fix: 'fix it' });
      } catch (err) {
        return (err as Error).message.replace(/^.*: cannot read the thing \((.*)\); expected a file; fix it$/, '$1');
      }
      return 'read';
    });
    expect(reasons).toEqual(['no such file', 'it is a folder', 'too many symbolic links', 'a part of the path is not a folder']);
  });

  test('a path that may name a folder says so; permission errors read alike; an unknown code is shown as it is', () => {
    const e = (code: string) => Object.assign(new Error(`${code}: something, open '/home/me/secret'`), { code });
    expect(readFailureReason(e('ENOENT'), { folderToo: true })).toBe('no such file or folder');
    expect([readFailureReason(e('EACCES')), readFailureReason(e('EPERM'))]).toEqual(['permission denied', 'permission denied']);
    expect(readFailureReason(e('EIO'))).toBe('EIO');
  });
});
