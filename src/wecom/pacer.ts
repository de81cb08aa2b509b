import crypto from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { SendLog } from '../../entities/SendLog';
import { inTransaction, isSqlite, sqliteSerial } from '../db/tx';

export type PaceKind = 'user' | 'chat' | 'robot' | 'kf';

export interface PaceLimit {
  windowMs: number;
  max: number;
}

/**
 * WECOM.md §3/§5: per app per member 30/min and 1000/h, the excess dropped silently;
 * a robot takes 20/min (45009 beyond). An app group chat counts for every member (200/min
 * per member across chats): 20/min per chat stays far below. kf is capped by WeCom with
 * explicit errors (95001/95002), so kf sends are only recorded.
 */
export const DEFAULT_PACE_LIMITS: Readonly<Record<PaceKind, readonly PaceLimit[]>> = {
  user: [
    { windowMs: 60_000, max: 30 },
    { windowMs: 3_600_000, max: 1000 },
  ],
  chat: [{ windowMs: 60_000, max: 20 }],
  robot: [{ windowMs: 60_000, max: 20 }],
  kf: [],
};

export type Reservation = { ok: true } | { ok: false; retryAt: Date };

export interface PacerOptions {
  dataSource: DataSource;
  now?: () => Date;
  limits?: Partial<Record<PaceKind, PaceLimit[]>>;
  /**
   * Added to every window: our clock and WeCom's, and the send's travel time, differ a
   * little, so a send must not land in WeCom's window together with the one it replaces.
   */
  guardMs?: number;
  /** send-log rows older than this are purged (default 2 h; the longest window is 1 h). */
  retentionMs?: number;
  purgeEveryMs?: number;
  /** MySQL GET_LOCK wait (default 10 s). */
  lockTimeoutSeconds?: number;
}

export function userKey(userid: string): string {
  // WeCom userids are case-insensitive.
  return `user:${userid.toLowerCase()}`;
}
export function chatKey(chatid: string): string {
  return `chat:${chatid}`;
}
/** The webhook address holds the robot's key: only a hash of it is stored. */
export function robotKey(webhookUrl: string): string {
  return `robot:${crypto.createHash('sha256').update(webhookUrl).digest('hex').slice(0, 24)}`;
}
export function kfKey(externalUserId: string): string {
  return `kf:${externalUserId}`;
}

function kindOf(key: string): PaceKind | null {
  const k = key.slice(0, key.indexOf(':'));
  return k === 'user' || k === 'chat' || k === 'robot' || k === 'kf' ? k : null;
}

const CHUNK = 200;

/**
 * Per-recipient pacing shared by every instance through wecom_send_log. reserve() either
 * records one send per recipient (all or none) or answers when to try again. Reservations
 * are serialised — MySQL/MariaDB: a named lock (GET_LOCK) per database; SQLite: one
 * queue per file — so two instances never both take the 30th slot.
 */
export class Pacer {
  private readonly ds: DataSource;
  private readonly now: () => Date;
  private readonly limits: Record<PaceKind, readonly PaceLimit[]>;
  private readonly guardMs: number;
  private readonly retentionMs: number;
  private readonly purgeEveryMs: number;
  private readonly lockTimeout: number;
  private lastPurge = 0;

  constructor(opts: PacerOptions) {
    this.ds = opts.dataSource;
    this.now = opts.now ?? (() => new Date());
    this.limits = { ...DEFAULT_PACE_LIMITS, ...opts.limits };
    this.guardMs = opts.guardMs ?? 2_000;
    this.retentionMs = opts.retentionMs ?? 2 * 3_600_000;
    this.purgeEveryMs = opts.purgeEveryMs ?? 10 * 60_000;
    this.lockTimeout = opts.lockTimeoutSeconds ?? 10;
  }

  /**
   * Reserves one send to every recipient key at `now`, or answers `{ok: false, retryAt}`
   * when any of them is at a limit. `manager`: run on that connection instead of a fresh
   * one; it should not be inside an open transaction, because a reservation must be
   * visible to the other instances as soon as the lock is released.
   */
  async reserve(manager: EntityManager | undefined, recipients: string[], now: Date = this.now(), outboxId: number | null = null): Promise<Reservation> {
    const keys = [...new Set(recipients.filter((k) => kindOf(k) !== null))];
    if (!keys.length) return { ok: true };
    const result = await this.serialised(manager, async (m) => {
      const retryAt = await this.blockedUntil(m, keys, now);
      if (retryAt) return { ok: false as const, retryAt };
      for (let i = 0; i < keys.length; i += CHUNK) {
        await m.insert(
          SendLog,
          keys.slice(i, i + CHUNK).map((recipient) => ({ recipient, sentAt: now, outboxId })),
        );
      }
      return { ok: true as const };
    });
    if (result.ok) await this.maybePurge(now);
    return result;
  }

  /** Takes back the reservations of a send WeCom refused (nothing was delivered). */
  async release(outboxId: number, sentAt: Date): Promise<void> {
    await sqliteSerial(this.ds, () =>
      this.ds.createQueryBuilder().delete().from(SendLog).where('outbox_id = :outboxId AND sent_at = :sentAt', { outboxId, sentAt }).execute(),
    );
  }

  async purge(now: Date = this.now()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionMs);
    const res = await sqliteSerial(this.ds, () => this.ds.createQueryBuilder().delete().from(SendLog).where('sent_at < :cutoff', { cutoff }).execute());
    return res.affected ?? 0;
  }

  private async maybePurge(now: Date): Promise<void> {
    if (now.getTime() - this.lastPurge < this.purgeEveryMs) return;
    this.lastPurge = now.getTime();
    await this.purge(now).catch(() => undefined);
  }

  /** The earliest instant every blocked key is free again, or null when none is blocked. */
  private async blockedUntil(m: EntityManager, keys: string[], now: Date): Promise<Date | null> {
    let retryAt: number | null = null;
    const byKind = new Map<PaceKind, string[]>();
    for (const k of keys) {
      const kind = kindOf(k) as PaceKind;
      if (!this.limits[kind].length) continue;
      byKind.set(kind, [...(byKind.get(kind) ?? []), k]);
    }
    for (const [kind, list] of byKind) {
      const limits = this.limits[kind];
      const since = limits.map((l) => new Date(now.getTime() - l.windowMs - this.guardMs));
      const oldest = new Date(Math.min(...since.map((d) => d.getTime())));
      for (let i = 0; i < list.length; i += CHUNK) {
        const qb = m
          .getRepository(SendLog)
          .createQueryBuilder('s')
          .select('s.recipient', 'recipient')
          .where('s.recipient IN (:...keys)', { keys: list.slice(i, i + CHUNK) })
          .andWhere('s.sent_at > :oldest', { oldest })
          .groupBy('s.recipient');
        limits.forEach((_, j) => qb.addSelect(`SUM(CASE WHEN s.sent_at > :since${j} THEN 1 ELSE 0 END)`, `c${j}`).setParameter(`since${j}`, since[j]));
        const rows: Array<Record<string, unknown>> = await qb.getRawMany();
        for (const row of rows) {
          for (let j = 0; j < limits.length; j++) {
            const count = Number(row[`c${j}`] ?? 0);
            if (count < limits[j].max) continue;
            // The (count - max + 1)-th oldest send in the window must leave it first.
            const out = await m
              .getRepository(SendLog)
              .createQueryBuilder('s')
              .where('s.recipient = :r AND s.sent_at > :since', { r: row.recipient, since: since[j] })
              .orderBy('s.sent_at', 'ASC')
              .addOrderBy('s.id', 'ASC')
              .offset(count - limits[j].max)
              .limit(1)
              .getOne();
            const at = out ? out.sentAt.getTime() + limits[j].windowMs + this.guardMs : now.getTime() + limits[j].windowMs;
            retryAt = Math.max(retryAt ?? 0, at);
          }
        }
      }
    }
    return retryAt === null ? null : new Date(Math.max(retryAt, now.getTime() + 1));
  }

  private async serialised<T>(manager: EntityManager | undefined, fn: (m: EntityManager) => Promise<T>): Promise<T> {
    if (isSqlite(this.ds)) {
      return sqliteSerial(this.ds, () => (manager ? fn(manager) : inTransaction(this.ds, fn)));
    }
    const own = manager?.queryRunner && !manager.queryRunner.isReleased ? null : this.ds.createQueryRunner();
    const qr = own ?? manager!.queryRunner!;
    const m = manager ?? qr.manager;
    const name = "LEFT(CONCAT('nocert_pacer:', DATABASE()), 64)";
    try {
      const got: Array<{ got: number | string | null }> = await qr.query(`SELECT GET_LOCK(${name}, ?) AS got`, [this.lockTimeout]);
      if (Number(got[0]?.got) !== 1) throw new Error('pacer: could not take the send-log lock');
      try {
        return await fn(m);
      } finally {
        await qr.query(`SELECT RELEASE_LOCK(${name})`);
      }
    } finally {
      if (own) await own.release();
    }
  }
}
