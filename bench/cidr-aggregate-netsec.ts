/**
 * Bench runner: aggregates one feed file with netsec's CIDR engine (the library call, as cidr-tools is measured) and
 * writes the result to stdout. The bench measures `netsec cidrs aggregate FILE` beside it, to show the CLI's
 * start-up. A separate process so wall time and peak RSS include Node's start-up, like the peers'.
 */
import { writeSync } from 'node:fs';
import { aggregate, readCidrFeed } from '../src/cidr/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: cidr-aggregate-netsec FILE');
// The library's file reader, as a user of the library reads a feed (cidr-tools has none: its runner reads the file).
const { prefixes } = await readCidrFeed(file, { source: file });
// The list is dropped after: aggregation may sort it in place, as the CLI lets it.
const out = aggregate(prefixes, { reuseInput: true }).set.toBuffer();
for (let off = 0; off < out.length;) off += writeSync(1, out, off);
