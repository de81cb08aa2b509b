/**
 * Messages this module sends, always through the outbox in the caller's transaction:
 * notices to the complainant over WeChat Customer Service (Art. 9, 10), held back while
 * the 48-hour / 5-message window (WECOM.md section 6) is closed; cards and texts to the
 * agency's liaison; a note to the office group.
 */
import { EntityManager, In } from 'typeorm';
import { Complaint, ComplaintNotice, KfConversation, OutboxMessage } from '../../entities';
import { enqueue } from '../wecom/outbox';
import { officeMembers } from '../directory/who';
import { CardChange, sendCard, sendText, sendToOfficeGroup, updateCard as sendCardUpdate } from '../wecom/messaging';
import { KF_WINDOW_ERRCODES, KF_WINDOW_MAX, KF_WINDOW_MS, REF } from './model';
import { addEvent } from './events';

/** result: the outcome (marks the case's result delivered); progress: a step on the way; linked: Art. 9. */
export type NoticeKind = 'result' | 'progress' | 'linked';

export interface KfText {
  msgtype: 'text';
  text: { content: string };
}

export function kfText(content: string): KfText {
  return { msgtype: 'text', text: { content } };
}

/**
 * Takes one of the window's 5 sends, if the window is open: an atomic conditional UPDATE,
 * so the conversation worker and a lifecycle transition never both take the 5th.
 */
export async function reserveKfSlot(m: EntityManager, openKfId: string, externalUserId: string, now: Date): Promise<boolean> {
  const cutoff = new Date(now.getTime() - KF_WINDOW_MS);
  const res = await m
    .createQueryBuilder()
    .update(KfConversation)
    .set({ sentSince: () => 'sent_since + 1' })
    .where('open_kfid = :k AND external_userid = :u AND sent_since < :max AND last_customer_at > :cutoff', {
      k: openKfId,
      u: externalUserId,
      max: KF_WINDOW_MAX,
      cutoff,
    })
    .execute();
  return res.affected === 1;
}

/**
 * The window of one conversation counted in memory by the kf worker, which holds the
 * conversation's row for its transaction and writes the counts back once.
 */
export class KfWindow {
  constructor(
    public lastCustomerAt: Date | null,
    public sentSince: number,
  ) {}

  /** The citizen wrote: WeCom resets the window (48 h and 5 messages from now). */
  open(at: Date): void {
    this.lastCustomerAt = at;
    this.sentSince = 0;
  }

  /** Takes one of the 5 sends if the window is open. */
  take(now: Date): boolean {
    if (!this.lastCustomerAt || now.getTime() - this.lastCustomerAt.getTime() >= KF_WINDOW_MS || this.sentSince >= KF_WINDOW_MAX) return false;
    this.sentSince++;
    return true;
  }
}

/** WeCom said the window is closed (95001/95002/95018): nothing more until the citizen writes. */
export async function closeKfWindow(m: EntityManager, openKfId: string, externalUserId: string): Promise<void> {
  await m.createQueryBuilder().update(KfConversation).set({ sentSince: KF_WINDOW_MAX }).where('open_kfid = :k AND external_userid = :u', { k: openKfId, u: externalUserId }).execute();
}

async function enqueueNotice(m: EntityManager, n: ComplaintNotice, now: Date): Promise<void> {
  const message = JSON.parse(n.message) as KfText;
  await enqueue(m, {
    channel: 'kf',
    payload: { touser: n.externalUserId, open_kfid: n.openKfId, ...message },
    refType: REF.notice,
    refId: String(n.id),
    dedupeKey: `cplnotice:${n.id}:${n.attempts + 1}`,
    now,
  });
  await m.update(ComplaintNotice, { id: n.id }, { status: 'queued', queuedAt: now, attempts: n.attempts + 1 });
  n.status = 'queued';
  n.queuedAt = now;
  n.attempts += 1;
}

/**
 * Art. 10: a notice for the complainant of a chat complaint. Sent at once when the window
 * allows, else kept pending until the citizen next writes. Returns null when the case did
 * not come in over the chat (the receiver tells the complainant on the original channel).
 */
export async function noticeToComplainant(m: EntityManager, c: Complaint, kind: NoticeKind, content: string, now: Date): Promise<ComplaintNotice | null> {
  if (!c.openKfId || !c.externalUserId) return null;
  const saved = await m.save(
    m.create(ComplaintNotice, {
      complaintId: c.id,
      kind,
      openKfId: c.openKfId,
      externalUserId: c.externalUserId,
      message: JSON.stringify(kfText(content)),
      status: 'pending',
      attempts: 0,
      lastErrcode: null,
      createdAt: now,
      queuedAt: null,
      sentAt: null,
    }),
  );
  if (await reserveKfSlot(m, c.openKfId, c.externalUserId, now)) await enqueueNotice(m, saved, now);
  return saved;
}

/**
 * The citizen wrote again: pending notices go out first, before the conversation's reply
 * (the window has just reset). `take` reserves a window slot. Returns how many were queued.
 */
export async function flushPendingNotices(m: EntityManager, openKfId: string, externalUserId: string, now: Date, take: () => boolean): Promise<number> {
  const pending = await m.find(ComplaintNotice, { where: { openKfId, externalUserId, status: 'pending' }, order: { id: 'ASC' } });
  return flushNotices(m, pending, now, take);
}

/** flushPendingNotices for notices already read (oldest first, still pending); each queued one is marked so in memory too. */
export async function flushNotices(m: EntityManager, pending: ComplaintNotice[], now: Date, take: () => boolean): Promise<number> {
  let n = 0;
  for (const notice of pending) {
    if (!take()) break;
    await enqueueNotice(m, notice, now);
    n++;
  }
  return n;
}

/**
 * Marks a queued notice sent (and the case's result delivered). Safe to call twice; used
 * by the outbox's onSent hook and by reconcileNotices.
 */
export async function markNoticeSent(m: EntityManager, noticeId: number, at: Date): Promise<boolean> {
  const res = await m
    .createQueryBuilder()
    .update(ComplaintNotice)
    .set({ status: 'sent', sentAt: at })
    .where('id = :id AND status = :q', { id: noticeId, q: 'queued' })
    .execute();
  if (res.affected !== 1) return false;
  const notice = await m.findOneByOrFail(ComplaintNotice, { id: noticeId });
  if (notice.kind === 'result') {
    await m
      .createQueryBuilder()
      .update(Complaint)
      .set({ resultDelivered: true, resultDeliveredAt: at })
      .where('id = :id AND result_delivered = :f', { id: notice.complaintId, f: false })
      .execute();
    await addEvent(m, notice.complaintId, { type: 'result_delivered', actor: 'system', at, details: { channel: 'kf', noticeId } });
  }
  return true;
}

/**
 * Follows queued notices to their outbox rows: sent -> the notice is sent; failed -> back
 * to pending. A window answer (95001 5 messages, 95002 48 hours, 95018 session state)
 * closes our view of the window too, so nothing is tried again until the citizen writes:
 * never a blind retry.
 */
export async function reconcileNotices(m: EntityManager, now: Date, limit = 200): Promise<number> {
  const queued = await m.find(ComplaintNotice, { where: { status: 'queued' }, order: { id: 'ASC' }, take: limit });
  if (!queued.length) return 0;
  const rows = await m.find(OutboxMessage, {
    where: { refType: REF.notice, refId: In(queued.map((n) => String(n.id))) },
    order: { id: 'ASC' },
  });
  const latest = new Map<string, OutboxMessage>();
  for (const r of rows) latest.set(r.refId ?? '', r);
  let changed = 0;
  for (const n of queued) {
    const row = latest.get(String(n.id));
    if (!row) continue;
    if (row.status === 'sent') {
      if (await markNoticeSent(m, n.id, row.sentAt ?? now)) changed++;
    } else if (row.status === 'failed') {
      await m.update(ComplaintNotice, { id: n.id }, { status: 'pending', lastErrcode: row.errcode });
      if (row.errcode !== null && KF_WINDOW_ERRCODES.has(row.errcode)) await closeKfWindow(m, n.openKfId, n.externalUserId);
        await addEvent(m, n.complaintId, { type: 'notice_deferred', actor: 'system', at: now, details: { noticeId: n.id, errcode: row.errcode } });
      changed++;
    }
  }
  return changed;
}

// ---------------------------------------------------------------- the agency's side

export async function textToStaff(m: EntityManager, userids: string[], content: string, now: Date, refId: string): Promise<void> {
  await sendText(m, userids, content, now, { refType: REF.text, refId });
}

export async function cardToStaff(m: EntityManager, userids: string[], card: object, now: Date, refId: string, dedupeKey: string): Promise<void> {
  await sendCard(m, userids, card, now, { refType: REF.card, refId, dedupeKey });
}

export async function updateCard(
  m: EntityManager,
  userid: string,
  responseCode: string,
  change: CardChange,
  now: Date,
  refId: string,
): Promise<void> {
  await sendCardUpdate(m, [userid], responseCode, change, now, { refType: REF.cardUpdate, refId });
}

/** The office group: the app group chat, else the group robot; neither configured -> nothing. */
export async function textToOffice(m: EntityManager, office: { chatId: string | null; robotWebhook: string | null }, content: string, now: Date, refId: string): Promise<boolean> {
  const group = { officeChatId: office.chatId, officeRobotWebhook: office.robotWebhook };
  return (await sendToOfficeGroup(m, group, { msgtype: 'text', content }, now, { refType: REF.office, refId })) !== null;
}

export interface OfficeChannel {
  chatId: string | null;
  robotWebhook: string | null;
}

/**
 * Oversight notes: to the office group when one is configured, else to each office member
 * present `today`. The caller keeps personal data out of `content` (a group is read by many).
 */
export async function officeOrMembers(m: EntityManager, office: OfficeChannel | null, content: string, now: Date, refId: string, today: string): Promise<void> {
  if (office && (await textToOffice(m, office, content, now, refId))) return;
  const members = await officeMembers(m, { presentOn: today });
  await textToStaff(m, members.map((s) => s.userid), content, now, refId);
}
