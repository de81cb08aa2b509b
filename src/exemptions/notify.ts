import { EntityManager, In } from 'typeorm';
import { OutboxMessage, Staff, Unit } from '../../entities';
import { enqueue } from '../wecom/outbox';

/** Reference type of the review card sends; refId = `<applicationId>:<round>`. */
export const REVIEW_REF = 'exemption_review';

/** Office members (SPEC 2 Art. 10): staff of the unit(s) flagged isOffice. */
export async function officeMembers(m: EntityManager): Promise<Staff[]> {
  const offices = await m.getRepository(Unit).find({ where: { isOffice: true }, select: { code: true } });
  if (!offices.length) return [];
  return m.getRepository(Staff).find({ where: { unitCode: In(offices.map((u) => u.code)) }, order: { userid: 'ASC' } });
}

export async function isOfficeMember(m: EntityManager, userid: string): Promise<Staff | null> {
  const s = await m.getRepository(Staff).findOneBy({ userid });
  if (!s) return null;
  const u = await m.getRepository(Unit).findOneBy({ code: s.unitCode });
  return u?.isOffice ? s : null;
}

/** A unit's liaisons; its deputies when it has none (Art. 9 reminders, decisions). */
export async function unitContacts(m: EntityManager, unitCode: string): Promise<string[]> {
  const staff = await m.getRepository(Staff).find({ where: { unitCode }, order: { userid: 'ASC' } });
  const liaisons = staff.filter((s) => s.role === 'liaison');
  return (liaisons.length ? liaisons : staff.filter((s) => s.role === 'deputy')).map((s) => s.userid);
}

export async function sendText(m: EntityManager, touser: string[], content: string, now: Date, ref?: { refType: string; refId: string; dedupeKey?: string }): Promise<void> {
  const users = [...new Set(touser)].filter(Boolean);
  if (!users.length) return;
  await enqueue(m, { channel: 'message', payload: { touser: users.join('|'), msgtype: 'text', text: { content } }, now, refType: ref?.refType, refId: ref?.refId, dedupeKey: ref?.dedupeKey });
}

export async function sendCard(m: EntityManager, touser: string[], card: object, now: Date, ref: { refType: string; refId: string; dedupeKey?: string }): Promise<void> {
  const users = [...new Set(touser)].filter(Boolean);
  if (!users.length) return;
  await enqueue(m, { channel: 'message', payload: { touser: users.join('|'), msgtype: 'template_card', template_card: card }, now, ...ref });
}

/** Greys a card's buttons with a note, using a response_code (WECOM.md §4). */
export async function greyCard(m: EntityManager, userids: string[], responseCode: string, text: string, now: Date): Promise<void> {
  if (!userids.length || !responseCode) return;
  await enqueue(m, { channel: 'update_card', payload: { userids, response_code: responseCode, button: { replace_name: text } }, now });
}

/**
 * After a decision: every office member's review card shows it. The send's response_code
 * covers all recipients; without it (not sent yet, or used) the clicker's own code
 * updates at least the clicker's card.
 */
export async function closeReviewCards(m: EntityManager, applicationId: number, round: number, text: string, now: Date, click?: { userid: string; responseCode: string }): Promise<void> {
  const sent = await m.getRepository(OutboxMessage).findOne({ where: { refType: REVIEW_REF, refId: `${applicationId}:${round}`, status: 'sent' } });
  if (sent?.responseCode) {
    const touser = String((JSON.parse(sent.payload) as { touser?: string }).touser ?? '');
    const ids = touser.split('|').filter(Boolean);
    // one decision per round, so the send's single-use code is spent here only
    await greyCard(m, ids, sent.responseCode, text, now);
    return;
  }
  if (click) await greyCard(m, [click.userid], click.responseCode, text, now);
}
