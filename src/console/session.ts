import crypto from 'crypto';
import { EntityManager, LessThan } from 'typeorm';
import { ConsoleAuditor, ConsoleSession, Staff, Unit } from '../../entities';
import type { ConsoleRole } from '../../entities/ConsoleSession';

export const SESSION_COOKIE = 'nc_console';
export const SESSION_MS = 8 * 3600_000;

export interface ConsoleUser {
  sessionId: string;
  userid: string;
  name: string;
  role: ConsoleRole;
  /** A unit user's unit, the office's unit for office members, null for auditors. */
  unitCode: string | null;
  unitName: string | null;
  /** The token every form of this session carries. */
  csrf: string;
}

export interface Identity {
  userid: string;
  name: string;
  role: ConsoleRole;
  unitCode: string | null;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Who a WeCom member is in the console: a designated auditor (read-only, wins over a
 * directory entry so an auditor never acts), a member of the office unit, or unit staff.
 */
export async function resolveIdentity(m: EntityManager, userid: string): Promise<Identity | null> {
  const auditor = await m.getRepository(ConsoleAuditor).findOneBy({ userid });
  if (auditor) return { userid, name: auditor.name, role: 'auditor', unitCode: null };
  const s = await m.getRepository(Staff).findOneBy({ userid });
  if (!s) return null;
  const u = await m.getRepository(Unit).findOneBy({ code: s.unitCode });
  return { userid, name: s.name, role: u?.isOffice ? 'office' : 'unit', unitCode: s.unitCode };
}

/** A new session; returns the cookie token (only its hash is stored). */
export async function createSession(m: EntityManager, who: Identity, now: Date): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  await m.getRepository(ConsoleSession).delete({ expiresAt: LessThan(now) });
  await m.getRepository(ConsoleSession).insert({
    id: sha256(token),
    userid: who.userid,
    role: who.role,
    unitCode: who.unitCode,
    csrfSecret: crypto.randomBytes(32).toString('hex'),
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_MS),
  });
  return token;
}

/**
 * The session of a cookie, re-checked against the directory: someone who left the office or
 * the unit loses what the session granted at once, not when it expires.
 */
export async function loadSession(m: EntityManager, token: string | undefined, now: Date): Promise<ConsoleUser | null> {
  if (!token || token.length > 100) return null;
  const s = await m.getRepository(ConsoleSession).findOneBy({ id: sha256(token) });
  if (!s || s.expiresAt.getTime() <= now.getTime()) return null;
  const who = await resolveIdentity(m, s.userid);
  if (!who || who.role !== s.role || who.unitCode !== s.unitCode) return null;
  const unit = who.unitCode ? await m.getRepository(Unit).findOneBy({ code: who.unitCode }) : null;
  return { sessionId: s.id, userid: s.userid, name: who.name, role: s.role, unitCode: s.unitCode, unitName: unit?.name ?? null, csrf: s.csrfSecret };
}

export async function destroySession(m: EntityManager, sessionId: string): Promise<void> {
  await m.getRepository(ConsoleSession).delete({ id: sessionId });
}

export function csrfValid(u: ConsoleUser, token: string | null | undefined): boolean {
  if (!token) return false;
  const a = Buffer.from(u.csrf);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
