/**
 * Bench runner: aggregates one feed file with cidr-tools 11 (`mergeCidr`) and writes the result to stdout. Comment
 * and blank lines are dropped first (cidr-tools takes only networks); that is the line filtering any caller does.
 */
import { readFileSync, writeSync } from 'node:fs';
import { mergeCidr } from 'cidr-tools';

const file = process.argv[2];
if (!file) throw new Error('usage: cidr-aggregate-cidrtools FILE');
const nets = readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
const out = Buffer.from(`${mergeCidr(nets).join('\n')}\n`);
for (let off = 0; off < out.length;) off += writeSync(1, out, off);
