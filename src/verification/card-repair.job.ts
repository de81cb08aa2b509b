import { DataSource, MoreThan } from 'typeorm';
import { OutboxMessage, VerificationRecipient, VerificationRequest } from '../../entities';
import { inTransaction } from '../db/tx';
import { verificationClosedCard } from '../../cards/verification.card';
import { REF, RESPONSE_CODE_TTL_MS, parseTaskId, queueCard } from './notify';
import { OpContext, addEvent, cardView } from './common';

/**
 * WECOM.md section 4: an update whose response_code WeCom refused (60140: used or expired)
 * becomes a fresh card without buttons showing the same outcome. Idempotent: the fresh
 * card's dedupe key is the failed row's id.
 */
export async function repairCards(ds: DataSource, opContext: (now: Date) => Promise<OpContext>, now: Date): Promise<Array<Record<string, unknown>>> {
  const since = new Date(now.getTime() - RESPONSE_CODE_TTL_MS - 24 * 3600_000);
  const failed = await ds.getRepository(OutboxMessage).find({
    where: { refType: REF.cardUpdate, status: 'failed', errcode: 60140, createdAt: MoreThan(since) },
    order: { id: 'ASC' },
    take: 200,
  });
  const out: Array<Record<string, unknown>> = [];
  if (!failed.length) return out;
  const ctx = await opContext(now);
  for (const row of failed) {
    const dedupeKey = `verif-repair:${row.id}`;
    const done = await inTransaction(ds, async (m) => {
      if (await m.getRepository(OutboxMessage).findOneBy({ dedupeKey })) return null;
      const task = parseTaskId(row.refId ?? '');
      const rcp = task ? await m.getRepository(VerificationRecipient).findOneBy({ requestId: task.requestId, taskId: row.refId! }) : null;
      if (!rcp) return null;
      const req = await m.getRepository(VerificationRequest).findOneByOrFail({ id: rcp.requestId });
      const payload = JSON.parse(row.payload) as { button?: { replace_name?: string } };
      const text = payload.button?.replace_name ?? rcp.outcome ?? '';
      await queueCard(m, rcp.userid, verificationClosedCard(await cardView(m, ctx, req), text, now), now, { type: REF.notice, id: rcp.taskId }, dedupeKey);
      await addEvent(m, req, now, 'card_refreshed', 'system', { data: { userid: rcp.userid, failedOutboxId: row.id } });
      return { requestId: req.id, userid: rcp.userid };
    });
    if (done) out.push({ action: 'fresh_card', ...done });
  }
  return out;
}
