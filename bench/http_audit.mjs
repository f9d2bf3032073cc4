// graphql-http's server audits (GraphQL over HTTP conformance) against a running pluginhub.
//
//     node bench/http_audit.mjs http://127.0.0.1:8000/graphql
//
// Prints every audit with its result and exits 1 if any MUST or SHOULD audit fails.
// `bench/http_audit.sh` starts a server as `make run` does and runs this against it.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:8000/graphql';
const results = await auditServer({ url });
const counts = {};
let failed = 0;
for (const result of results) {
  const level = result.name.split(' ')[0];
  counts[level] ??= { ok: 0, total: 0 };
  counts[level].total += 1;
  if (result.status === 'ok') {
    counts[level].ok += 1;
  } else if (level !== 'MAY') {
    failed += 1;
  }
  const mark = result.status === 'ok' ? 'ok  ' : result.status.padEnd(4);
  const reason = result.status === 'ok' ? '' : ` -- ${result.reason}`;
  console.log(`${mark} ${result.id} ${result.name}${reason}`);
}
for (const [level, { ok, total }] of Object.entries(counts)) {
  console.log(`${level}: ${ok}/${total}`);
}
process.exit(failed ? 1 : 0);
