import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { describe, expect, test, vi } from 'vitest';
import { cidrsCommand } from '../../src/cli/commands/cidrs.js';
import { explainCommand } from '../../src/cli/commands/explain.js';
import { planCommand } from '../../src/cli/commands/plan.js';
import { schemaCommand } from '../../src/cli/commands/schema.js';
import { synthCommand } from '../../src/cli/commands/synth.js';
import { testCommand } from '../../src/cli/commands/test.js';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { NetsecCommand } from '../../src/cli/command.js';
import { tempDir } from '../util.js';
import { run } from './run.js';

/** Every single-value flag (string or number, not repeatable) of a command, by its long name, as its builder declares it. */
function singleValueFlags(cmd: NetsecCommand<any>): { name: string; type: 'string' | 'number' }[] {
  const options = (cmd.builder(yargs()) as unknown as { getOptions(): { string: string[]; number: string[]; array: string[]; alias: Record<string, string[]> } }).getOptions();
  const positionals = new Set([...String(cmd.command).matchAll(/[<[]([\w-]+)/g)].map((m) => m[1]!));
  // Aliases are listed under the name that declares them (`config: ['c']`): a key's group is that list with its name.
  const group = (k: string) => Object.entries(options.alias).find(([name, list]) => name === k || list.includes(k)) ?? [k, []];
  const long = (k: string) => [group(k)[0], ...group(k)[1]].reduce((a, b) => (b.length > a.length ? b : a));
  const out = new Map<string, 'string' | 'number'>();
  for (const [type, keys] of [['string', options.string], ['number', options.number]] as const) {
    for (const k of keys) if (!options.array.includes(k) && !positionals.has(long(k))) out.set(long(k), type);
  }
  return [...out].map(([name, type]) => ({ name, type }));
}

/** A command line that reaches the command: its name and required positionals. */
const COMMANDS: [NetsecCommand<any>, string[]][] = [
  [synthCommand, ['synth']],
  [planCommand, ['plan']],
  [validateCommand, ['validate', 'x.yaml']],
  [cidrsCommand, ['cidrs', 'aggregate', 'feed.txt']],
  [schemaCommand, ['schema']],
  [explainCommand, ['explain', 's.yaml']],
  [testCommand, ['test', 's.yaml']],
];

describe('a single-value flag given twice or empty is a usage error (it was read as a list: exit 3)', () => {
  test('the commands have such flags (the test below covers them all)', () => {
    const names = COMMANDS.flatMap(([cmd]) => singleValueFlags(cmd).map((f) => f.name));
    expect(names).toEqual(expect.arrayContaining(['config', 'out', 'cilium', 'kubernetes', 'namespace', 'maxmind', 'output']));
    expect(names.length).toBeGreaterThanOrEqual(15);
  });

  test('every single-value flag of every command, given twice', async () => {
    for (const [cmd, argv] of COMMANDS) {
      for (const { name, type } of singleValueFlags(cmd)) {
        const [a, b] = type === 'number' ? ['1', '2'] : ['x', 'y'];
        expect({ argv: argv[0], name, ...(await run(...argv, `--${name}`, a, `--${name}`, b)) }).toEqual({
          argv: argv[0],
          name,
          code: 2,
          stdout: '',
          stderr: `netsec: --${name} is given 2 times ('${a}', '${b}'); expected it once; keep the one you mean\n`,
        });
      }
    }
  }, 60_000);

  test('the flag is named as typed: the short form with its long one, or the variable it came from', async () => {
    expect((await run('synth', '-c', 'a.yaml', '--config=b.yaml')).stderr).toBe("netsec: --config is given 2 times ('a.yaml', 'b.yaml'); expected it once; keep the one you mean\n");
    expect((await run('synth', '-c', 'a.yaml', '-c', 'b.yaml')).stderr).toBe("netsec: -c/--config is given 2 times ('a.yaml', 'b.yaml'); expected it once; keep the one you mean\n");
    expect(await run('synth', '--out', '')).toEqual({ code: 2, stdout: '', stderr: 'netsec: --out is empty; expected a value; give it one or leave it out\n' });
    expect((await run('synth', '--out=')).stderr).toBe('netsec: --out is empty; expected a value; give it one or leave it out\n');
    expect((await run('synth', '-c', '--out', 'x')).stderr).toBe('netsec: -c/--config has no value; expected one after it; give it one or leave it out\n');
    expect((await run('validate', 'x.yaml', '--cilium')).stderr).toBe('netsec: --cilium has no value; expected one after it; give it one or leave it out\n');
    vi.stubEnv('NETSEC_OUT', '');
    expect((await run('synth')).stderr).toBe('netsec: NETSEC_OUT is empty; expected a value; give it one or leave it out\n');
    vi.unstubAllEnvs();
  });

  test("a flag its command reads without a value stays valid bare (plan's --app: the app of ./cdk8s.yaml), but not empty", async () => {
    const bare = await run('plan', '--app', '--out', join(tempDir('netsec-repeated-'), 'dist'));
    expect(bare.stderr).not.toContain('--app has no value');
    expect((await run('plan', '--app', '')).stderr).toBe('netsec: --app is empty; expected a value; give it one or leave it out\n');
  });

  test('a repeatable flag still collects its values', async () => {
    const feed = join(tempDir('netsec-repeated-'), 'feed.txt');
    writeFileSync(feed, '10.0.0.0/7\n');
    expect(await run('cidrs', 'aggregate', feed, '--except', '10.0.0.0/8', '--except', '11.0.0.0/9')).toEqual({ code: 0, stdout: '11.128.0.0/9\n', stderr: '' });
  });
});

/** Every boolean flag of a command, by its long name, as its builder declares it (with the global --verbose). */
function booleanFlags(cmd: NetsecCommand<any>): string[] {
  const options = (cmd.builder(yargs()) as unknown as { getOptions(): { boolean: string[]; alias: Record<string, string[]> } }).getOptions();
  return [...new Set(['verbose', ...options.boolean.filter((k) => k !== 'help' && k !== 'version')])];
}

describe('a switch takes true or false and nothing else (yargs read =yes, =1 and NETSEC_X=1 as false, silently)', () => {
  test('the commands have switches (the test below covers them all)', () => {
    expect(COMMANDS.flatMap(([cmd]) => booleanFlags(cmd))).toEqual(expect.arrayContaining(['verbose', 'detailed-exitcode', 'lenient']));
  });

  test('every switch of every command, with a value that is not a boolean, on the command line', async () => {
    for (const [cmd, argv] of COMMANDS) {
      for (const name of booleanFlags(cmd)) {
        for (const value of ['yes', '1', 'TRUE', '']) {
          const r = await run(...argv, `--${name}=${value}`);
          const detailedPlan = argv[0] === 'plan' && name === 'detailed-exitcode';
          expect({ argv: argv[0], name, value, code: r.code, stderr: r.stderr }).toEqual({
            argv: argv[0], name, value,
            // plan --detailed-exitcode: any error is 1 (2 reads as "changes present").
            code: detailedPlan ? 1 : 2,
            stderr: `netsec: --${name} is given the value '${value}'; expected true or false; write --${name} alone to turn it on\n`,
          });
        }
      }
    }
  });

  test('NETSEC_DETAILED_EXITCODE=1 is refused with exit 1 (it had meant "off": exit 0 with changes present)', async () => {
    for (const value of ['1', 'yes', '']) {
      vi.stubEnv('NETSEC_DETAILED_EXITCODE', value);
      try {
        const r = await run('plan', '-c', join(tempDir('netsec-bool-'), 'netsec.yaml'), '--out', 'nowhere');
        expect({ code: r.code, stderr: r.stderr }).toEqual({
          code: 1,
          stderr: `netsec: NETSEC_DETAILED_EXITCODE is ${value === '' ? 'empty' : `'${value}'`}; expected true or false (NETSEC_DETAILED_EXITCODE=true turns --detailed-exitcode on)\n`,
        });
      } finally {
        vi.unstubAllEnvs();
      }
    }
  });

  test('true and false still work, as values and as variables', async () => {
    const feed = join(tempDir('netsec-bool-'), 'feed.txt');
    writeFileSync(feed, '10.0.0.1/8\n');
    expect((await run('cidrs', 'aggregate', feed, '--lenient=true')).code).toBe(0);
    expect((await run('cidrs', 'aggregate', feed, '--lenient=false')).code).toBe(2);
    vi.stubEnv('NETSEC_LENIENT', 'true');
    try {
      expect((await run('cidrs', 'aggregate', feed)).code).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

test('--help and --version take no value either; NETSEC_VERSION or NETSEC_HELP (a CI variable of its own) changes nothing', async () => {
  for (const flag of ['help', 'version']) {
    expect(await run('cidrs', 'aggregate', '-', `--${flag}=yes`)).toEqual({ code: 2, stdout: '', stderr: `netsec: --${flag} is given the value 'yes'; expected true or false; write --${flag} alone to turn it on\n` });
  }
  const feed = join(tempDir('netsec-bool-'), 'feed.txt');
  writeFileSync(feed, '10.0.0.0/8\n');
  for (const variable of ['NETSEC_VERSION', 'NETSEC_HELP']) {
    vi.stubEnv(variable, '1.2.3');
    try {
      expect(await run('cidrs', 'aggregate', feed)).toEqual({ code: 0, stdout: '10.0.0.0/8\n', stderr: '' });
    } finally {
      vi.unstubAllEnvs();
    }
  }
});

test('--no-<switch> takes no value (yargs read --no-x=false as an unknown flag)', async () => {
  expect(await run('cidrs', 'aggregate', '-', '--no-lenient=false')).toEqual({ code: 2, stdout: '', stderr: "netsec: --no-lenient takes no value (got 'false'); write --no-lenient alone, or --lenient=false\n" });
});
