import fs from 'fs';
import mysql from 'mysql2/promise';

/** Busy and total CPU ticks of the whole machine (/proc/stat). */
function cpuTicks(): { busy: number; total: number } {
  const [, ...v] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Before each bench: waits (at most maxMs) until the machine is quiet, so one bench's
 * leftovers do not weigh on the next: the whole machine under 10 % busy over half a second
 * and, on MariaDB/MySQL, InnoDB's purge caught up (history list length under 100: a bench
 * that deleted or updated many rows leaves the purge threads working for seconds). Returns
 * the milliseconds waited.
 */
export async function waitForQuiet(dbUrl: string, maxMs = 60_000): Promise<number> {
  const t0 = Date.now();
  const conn = dbUrl.startsWith('mysql') ? await mysql.createConnection(dbUrl) : null;
  try {
    while (Date.now() - t0 < maxMs) {
      const a = cpuTicks();
      await new Promise((r) => setTimeout(r, 500));
      const b = cpuTicks();
      const busy = (b.busy - a.busy) / Math.max(1, b.total - a.total);
      let history = 0;
      if (conn) {
        const [rows] = (await conn.query(`SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'`)) as unknown as [Array<{ Value: string }>];
        history = Number(rows[0]?.Value ?? 0);
      }
      if (busy < 0.1 && history < 100) break;
    }
  } finally {
    await conn?.end();
  }
  return Date.now() - t0;
}
