import net from 'net';

/**
 * A data service is reached over https, or plain http on this machine only (a local
 * adapter, the sandbox's demo): personal data never crosses a network unencrypted.
 */
export function urlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'url: not an address';
  }
  if (u.username || u.password) return 'url: must not carry credentials (the secret signs each call)';
  if (u.protocol === 'https:') return null;
  if (u.protocol !== 'http:') return 'url: must be https://, or http:// to a loopback address';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || (net.isIPv4(host) && host.startsWith('127.')) || host === '::1';
  return loopback ? null : 'url: http:// is allowed only to a loopback address (127.0.0.0/8, ::1, localhost); use https://';
}

/** The query with string literals, quoted identifiers and comments blanked, so keywords inside them do not count. */
function code(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.|'')*'/g, "''")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/`[^`]*`/g, '``');
}

/**
 * A SQL service runs one read-only SELECT, parsed conservatively: one statement that starts
 * with SELECT, no `;` except one at the end, no comments, no INTO / FOR UPDATE / LOCK IN SHARE
 * MODE. The connection the unit gives should be read-only anyway; this refuses the obvious.
 */
export function sqlProblem(query: string): string | null {
  let q = query.trim();
  if (/--|#|\/\*/.test(code(q))) return 'query: comments are not allowed';
  q = code(q).replace(/;\s*$/, '').trim();
  if (q.includes(';')) return 'query: one statement only';
  if (!/^select\s/i.test(q)) return 'query: must be a single SELECT';
  if (/\binto\b/i.test(q)) return 'query: SELECT ... INTO is not allowed';
  if (/\bfor\s+update\b|\block\s+in\s+share\s+mode\b|\bfor\s+share\b/i.test(q)) return 'query: locking reads are not allowed';
  if (/\b(insert|update|delete|replace|drop|alter|create|truncate|grant|call|load_file|sleep|benchmark|copy|pg_sleep|pg_read_file|pg_read_binary_file|lo_import|lo_export|dblink|set_config|nextval|setval)\b/i.test(q)) return 'query: must only read';
  if (!/:(idNumber|name|certificate|number)\b/.test(q)) return 'query: must use a named parameter (:idNumber, :name, :certificate or :number)';
  return null;
}

/** The DSN with its password masked. */
export function maskDsn(dsn: string): string {
  return dsn.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

export function dsnProblem(dsn: string): string | null {
  return /^(mysql|mariadb|postgres|postgresql):\/\/[^/]+\/[^/?]+/i.test(dsn) ? null : 'dsn: must be mysql://user:pass@host:port/db (or mariadb://, postgres://)';
}
