import fs from 'fs';
import inspector from 'inspector';

/**
 * Starts a V8 CPU profile of this process; the function returned stops it and writes it to
 * `file` (a .cpuprofile, as `node --cpu-prof` writes).
 */
export async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string) => new Promise<any>((res, rej) => session.post(method, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async (file) => {
    const { profile } = await post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/**
 * A statement's shape for counting by shape (BENCH_STATEMENTS=1): whitespace collapsed, the
 * select list and every list of values (placeholders, strings, numbers, NULL) elided.
 */
export function statementShape(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/SELECT .*? FROM/, 'SELECT … FROM')
    .replace(/\((\?|'[^']*'|\d+|NULL)(, ?(\?|'[^']*'|\d+|NULL))*\)(, \(…\))*/g, '(…)')
    .slice(0, 150);
}
