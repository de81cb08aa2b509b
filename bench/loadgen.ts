/**
 * The load generator, run as a child process so it does not share the server's CPU:
 * `node loadgen.js URL REQUESTS_JSON_FILE SECONDS CONNECTIONS` prints autocannon's result.
 */
import fs from 'fs';

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<Record<string, unknown>>;

type Req = { method: string; path: string; body: string; headers: Record<string, string> };

async function main() {
  const [url, file, seconds, connections] = process.argv.slice(2);
  const requests = JSON.parse(fs.readFileSync(file, 'utf8')) as Req[];
  let i = 0;
  const res = await autocannon({
    url,
    connections: Number(connections || 20),
    duration: Number(seconds || 8),
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const r = requests[i++ % requests.length];
          return { ...req, method: r.method, path: r.path, body: r.body, headers: r.headers };
        },
      },
    ],
  });
  process.stdout.write(JSON.stringify(res));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
