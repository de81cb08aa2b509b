import 'reflect-metadata';
import path from 'path';
import fs from 'fs';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ALL_ENTITIES } from '../../entities';
import { ALL_MIGRATIONS } from './migrations';

export type Dialect = 'mysql' | 'sqlite';

export function dialectOf(url: string): Dialect {
  if (url.startsWith('mysql://')) return 'mysql';
  if (url.startsWith('sqlite:')) return 'sqlite';
  throw new Error(`DATABASE_URL must start with mysql:// or sqlite: (got ${url.split(':')[0]}:)`);
}

/**
 * A `mysql://` URL's `socket` parameter (`mysql://user@localhost/db?socket=/run/mysqld/mysqld.sock`):
 * connect through that Unix socket instead of TCP, for a database on the same machine.
 * Returns the URL without it and the socket path (null without one).
 */
export function mysqlSocketOf(url: string): { url: string; socketPath: string | null } {
  const u = new URL(url);
  const socketPath = u.searchParams.get('socket');
  if (socketPath === null) return { url, socketPath: null };
  if (!socketPath.startsWith('/')) throw new Error('DATABASE_URL: socket= must be an absolute path');
  u.searchParams.delete('socket');
  return { url: u.toString(), socketPath };
}

/** mysql2 connection options for a `mysql://` URL (with its socket, if it names one). */
export function mysql2Options(url: string): { uri: string; socketPath?: string } {
  const { url: uri, socketPath } = mysqlSocketOf(url);
  return socketPath ? { uri, socketPath } : { uri };
}

/**
 * Options for MySQL 8 / MariaDB 10.6+ / TiDB (`mysql://`, optionally `?socket=PATH`) or
 * embedded SQLite (`sqlite:PATH`).
 * `synchronize` is never on here: schema changes go through migrations only.
 */
export function dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
  const common = {
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  };
  if (dialectOf(url) === 'mysql') {
    const socket = mysqlSocketOf(url);
    return {
      ...common,
      type: 'mysql',
      url: socket.url,
      ...(socket.socketPath ? { socketPath: socket.socketPath } : {}),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      poolSize: 10,
      // No stack trace captured at every query (mysql2's default): it cost about 2% of the
      // server's CPU under load, and errors still say what failed.
      extra: { trace: false },
      ...extra,
    } as DataSourceOptions;
  }
  const file = url.slice('sqlite:'.length);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: file,
    // WAL lets readers work while the single writer commits; busy_timeout covers short waits.
    prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
    ...extra,
  } as DataSourceOptions;
}

export function createDataSource(url: string, extra: Partial<DataSourceOptions> = {}): DataSource {
  return new DataSource(dataSourceOptions(url, extra));
}

/**
 * MariaDB answers information_schema differently from MySQL (nullable defaults, JSON);
 * TypeORM needs to know which one it talks to, so `mysql://` URLs are probed once.
 */
export async function openDataSource(url: string, extra: Partial<DataSourceOptions> = {}): Promise<DataSource> {
  let ds = createDataSource(url, extra);
  if (dialectOf(url) === 'mysql') {
    const mysql = await import('mysql2/promise');
    const conn = await mysql.createConnection(mysql2Options(url));
    try {
      const [rows] = await conn.query('SELECT VERSION() AS v');
      if (/mariadb/i.test(String((rows as Array<{ v: string }>)[0].v))) {
        ds = createDataSource(url, { ...extra, type: 'mariadb' } as Partial<DataSourceOptions>);
      }
    } finally {
      await conn.end();
    }
  }
  return ds.initialize();
}
