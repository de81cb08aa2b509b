import { EntityManager } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { greyCard } from '../wecom/messaging';

/** Reference type of the review card sends; refId = `<applicationId>:<round>`. */
export const REVIEW_REF = 'exemption_review';

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
