import { buildConfigSchema } from '../../config/schema.js';
import { SECTIONS } from '../../config/sections/index.js';
import { NetsecCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { CliIo, printJson } from '../io.js';

/** `netsec schema`: prints the JSON Schema of netsec.yaml (the package ships it as netsec.schema.json). */
export async function runSchema(_args: object, io: CliIo): Promise<ExitCode> {
  printJson(io, buildConfigSchema(SECTIONS));
  return ExitCode.OK;
}

export const schemaCommand: NetsecCommand<object> = {
  command: 'schema',
  describe: 'Print the JSON Schema of netsec.yaml (for editors and CI linters)',
  builder: (y) => y,
  run: runSchema,
};
