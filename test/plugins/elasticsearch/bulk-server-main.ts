// Runs the local _bulk stand-in as its own process (bench/elasticsearch.ts), in count-only mode:
// prints its URL on stdout, then on each "count" line on stdin prints the items received so far.
import { createInterface } from 'node:readline';
import { BulkServer } from './bulk-server.ts';

const server = new BulkServer({ countOnly: true });
const url = await server.start();
process.stdout.write(`${url}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'count') process.stdout.write(`${server.itemCount}\n`);
}
await server.stop();
