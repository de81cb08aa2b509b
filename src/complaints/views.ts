/** JSON shapes of /api/v1/complaints (CONTRACT.md): instants in ISO-8601 with the office's offset. */
import { EntityManager, In } from 'typeorm';
import { Complaint, ComplaintEvent, ComplaintNotice } from '../../entities';
import { WorkingCalendar, formatInZone } from '../calendar';
import { maskFreeText, maskName } from '../verification/mask';
import { isFinal } from './model';
import { maskPhone } from './validate';

export interface ViewOptions {
  /** A unit key reads its own cases with the complainant masked (SPEC 1 Art. 12). */
  masked?: boolean;
}

const LANDLINE = /(?<![0-9])0\d{2,3}[- ]?\d{7,8}(?![0-9])/g;
const NAMED = /(姓名|名字|联系人|申请人|投诉人|代理人|委托人)([:：\s]*)([\u4e00-\u9fa5·]{2,4})/gu;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Free text a unit key reads (SPEC 1 Art. 12): ID numbers, mobiles and landlines masked,
 * the complainant's and principal's names and phone wherever they appear, and a name after
 * 姓名/联系人/申请人… Other names cannot be told from ordinary words, so they are left.
 */
export function maskComplaintText(text: string | null, c: Pick<Complaint, 'complainantName' | 'complainantPhone' | 'principalName'>): string | null {
  if (text === null || text === undefined) return text;
  let t = text;
  const digits = (c.complainantPhone ?? '').replace(/[^0-9]/g, '');
  if (digits.length >= 7) t = t.replace(new RegExp(digits.split('').join('[- ]?'), 'g'), maskPhone(digits));
  t = maskFreeText(t).replace(LANDLINE, (m) => maskPhone(m));
  for (const name of [c.complainantName, c.principalName]) {
    const n = (name ?? '').trim();
    if ([...n].length >= 2) t = t.replace(new RegExp(escapeRe(n), 'g'), maskName(n));
  }
  return t.replace(NAMED, (_m, label: string, sep: string, name: string) => `${label}${sep}${maskName(name)}`);
}

function iso(cal: WorkingCalendar, d: Date | null): string | null {
  return d ? formatInZone(cal, d) : null;
}

function overdue(c: Complaint, now: Date): boolean {
  return (c.status === 'accepted' || c.status === 'extended') && !!c.dueAt && now.getTime() > c.dueAt.getTime();
}

export function complaintSummary(c: Complaint, cal: WorkingCalendar, now: Date, originals: Map<number, string>, opts: ViewOptions = {}) {
  return {
    id: c.id,
    number: c.number,
    status: c.status,
    channel: c.channel,
    hotline: c.hotline,
    ground: c.ground,
    agency: { code: c.agencyCode, name: c.agencyName },
    complainant: {
      name: opts.masked ? maskName(c.complainantName) : c.complainantName,
      phone: opts.masked ? maskPhone(c.complainantPhone) : c.complainantPhone,
    },
    receivedAt: iso(cal, c.receivedAt),
    registeredAt: iso(cal, c.registeredAt),
    dueAt: iso(cal, c.dueAt),
    overdue: overdue(c, now),
    duplicateOf: c.duplicateOf !== null ? { id: c.duplicateOf, number: originals.get(c.duplicateOf) ?? null } : null,
    /** Art. 10: null while the case is open; for a closed case, whether the complainant has been told. */
    resultDelivered: isFinal(c.status) ? c.resultDelivered : null,
  };
}

export async function originalNumbers(m: EntityManager, rows: Complaint[]): Promise<Map<number, string>> {
  const ids = [...new Set(rows.map((r) => r.duplicateOf).filter((x): x is number => x !== null))];
  const out = new Map<number, string>();
  if (!ids.length) return out;
  for (const r of await m.find(Complaint, { select: { id: true, number: true }, where: { id: In(ids) } })) out.set(r.id, r.number);
  return out;
}

function parseDetails(s: string | null): unknown {
  if (!s) return null;
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

export async function complaintDetail(m: EntityManager, c: Complaint, cal: WorkingCalendar, now: Date, opts: ViewOptions = {}) {
  const [events, duplicates, notices, originals] = await Promise.all([
    m.find(ComplaintEvent, { where: { complaintId: c.id }, order: { id: 'ASC' } }),
    m.find(Complaint, { select: { id: true, number: true }, where: { duplicateOf: c.id }, order: { id: 'ASC' } }),
    m.find(ComplaintNotice, { where: { complaintId: c.id }, order: { id: 'ASC' } }),
    originalNumbers(m, [c]),
  ]);
  // a unit key gets the free text masked too, not only the complainant's fields
  const free = (t: string | null) => (opts.masked ? maskComplaintText(t, c) : t);
  return {
    ...complaintSummary(c, cal, now, originals, opts),
    facts: free(c.facts),
    request: free(c.request),
    proxy: { isProxy: c.isProxy, principalName: c.principalName && opts.masked ? maskName(c.principalName) : c.principalName },
    receivedBy: c.receivedBy,
    registeredBy: c.registeredBy,
    acceptedAt: iso(cal, c.acceptedAt),
    extension: c.extensionDays !== null ? { days: c.extensionDays, reason: free(c.extensionReason) } : null,
    closing: c.closingGround ? { ground: c.closingGround, reason: free(c.closingReason) } : null,
    result: free(c.result),
    closedAt: iso(cal, c.closedAt),
    resultDeliveredAt: iso(cal, c.resultDeliveredAt),
    upheld: c.upheld,
    accountablePerson: c.accountablePerson,
    chat: c.externalUserId ? { openKfId: c.openKfId, externalUserId: opts.masked ? null : c.externalUserId } : null,
    duplicates: duplicates.map((d) => ({ id: d.id, number: d.number })),
    notices: notices.map((n) => ({ id: n.id, kind: n.kind, status: n.status, createdAt: iso(cal, n.createdAt), sentAt: iso(cal, n.sentAt), lastErrcode: n.lastErrcode })),
    events: events.map((e) => ({
      at: iso(cal, e.at),
      type: e.type,
      actor: e.actor,
      from: e.fromStatus,
      to: e.toStatus,
      reason: free(e.reason),
      details: parseDetails(e.details),
    })),
  };
}
