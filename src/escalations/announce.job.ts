import { Escalation } from '../../entities';
import { inTransaction, isSqlite } from '../db/tx';
import { officeMinutesBetween, shortTime } from '../calendar';
import { GROUP_MESSAGE_BYTES, byteLength, officeGroup, queueGroupMarkdown } from '../wecom/messaging';
import { staffNames, unitNames } from '../directory/who';
import type { Line } from '../scheduler';
import { DeadlineDeps } from './deps';
import { GROUP, formatLate, groupItem } from './messages';

/** Escalations per group message: the robot takes 20 messages a minute (WECOM.md section 5). */
const PER_MESSAGE = 8;

/**
 * Reports new escalations to the office group (SPEC 1 Art. 11, CONTRACT "Escalations reach
 * the office group"): several per markdown message, so a burst stays within the robot's
 * 20/minute. Rows are claimed with SKIP LOCKED and marked in the transaction that queues
 * the message: each escalation is announced once.
 */
export async function announceEscalations(d: DeadlineDeps, now: Date, rounds = 20): Promise<Line[]> {
  const lines: Line[] = [];
  for (let round = 0; round < rounds; round++) {
    const line = await inTransaction(d.dataSource, async (m) => {
      const qb = m.getRepository(Escalation).createQueryBuilder('e').where('e.group_state = :s', { s: 'pending' }).orderBy('e.id', 'ASC').limit(PER_MESSAGE);
      if (!isSqlite(d.dataSource)) qb.setLock('pessimistic_write').setOnLocked('skip_locked');
      const rows = await qb.getMany();
      if (!rows.length) return null;
      const ids = rows.map((r) => r.id);
      const channel = officeGroup(d.config);
      if (!channel) {
        // The group was unconfigured since: the escalations stay recorded (GET /api/v1/escalations).
        await m.createQueryBuilder().update(Escalation).set({ groupState: 'none' }).whereInIds(ids).execute();
        return { action: 'group_not_configured', escalations: ids };
      }
      const cal = await d.calendar();
      const units = await unitNames(m, rows.flatMap((r) => [r.issuerUnit, r.requesterUnit]));
      const owners = await staffNames(m, rows.map((r) => r.owner));
      const blocks: string[] = [];
      const taken: Escalation[] = [];
      for (const r of rows) {
        const block = groupItem({
          level: r.level,
          number: r.number,
          issuerUnitName: units.get(r.issuerUnit) ?? r.issuerUnit,
          requesterUnitName: units.get(r.requesterUnit) ?? r.requesterUnit,
          ownerName: r.owner ? owners.get(r.owner) ?? r.owner : null,
          category: r.category,
          due: shortTime(d.config.officeTz, r.missedDueAt),
          late: formatLate(Math.max(r.lateMinutes, officeMinutesBetween(cal, r.missedDueAt, now))),
        });
        const content = [GROUP.header(taken.length + 1), ...blocks, block, GROUP.footer].join('\n\n');
        if (taken.length && byteLength(content) > GROUP_MESSAGE_BYTES) break;
        blocks.push(block);
        taken.push(r);
      }
      const content = [GROUP.header(taken.length), ...blocks, GROUP.footer].join('\n\n');
      const sent = await queueGroupMarkdown(m, d.config, content, now, { id: taken.map((r) => r.id).join(',').slice(0, 80), dedupeKey: `esc-group:${taken[0].id}` });
      await m
        .createQueryBuilder()
        .update(Escalation)
        .set({ groupState: 'sent', groupChannel: sent!.channel, groupOutboxId: sent!.outboxId, announcedAt: now })
        .whereInIds(taken.map((r) => r.id))
        .execute();
      return { action: 'announced', channel: sent!.channel, escalations: taken.map((r) => r.id) };
    });
    if (!line) break;
    lines.push(line);
  }
  return lines;
}
