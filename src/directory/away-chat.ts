import { Staff } from '../../entities';
import type { CallbackDispatcher } from '../wecom/dispatcher';
import type { WorkingCalendar } from '../calendar';
import { conversationOf } from '../conversation';
import { sendText } from '../wecom/messaging';
import { isAway } from './rules';
import { AWAY } from './messages';

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * The last day away from `请假至12月7日` as YYYY-MM-DD: without a year, the next such date
 * from today. 'bad' for a date that does not exist; null when no date was given.
 */
export function awayUntilOf(text: string, today: string): string | null | 'bad' {
  const m = AWAY.pattern.exec(text);
  if (!m || !m[3]) return null;
  const pad = (n: string) => n.padStart(2, '0');
  const md = `${pad(m[2])}-${pad(m[3])}`;
  const year = m[1] ?? (md >= today.slice(5) ? today.slice(0, 4) : String(Number(today.slice(0, 4)) + 1));
  const date = `${year}-${md}`;
  return isRealDate(date) ? date : 'bad';
}

/**
 * 请假至… / 我回来了 from the chat (SPEC 1 Art. 6): staff set themselves away and back; the
 * routing (B covers A, liaisons preferred present) reads Staff.away / awayUntil.
 */
export function registerAwayCommands(dispatcher: CallbackDispatcher, calendar: () => Promise<WorkingCalendar>): void {
  const conv = conversationOf(dispatcher);
  conv.command('directory', {
    name: 'away',
    matches: (text) => AWAY.pattern.test(text),
    async run(msg, hc) {
      const repo = hc.manager.getRepository(Staff);
      const s = await repo.findOneBy({ userid: msg.from });
      if (!s) return 'pass';
      const today = (await calendar()).localDate(hc.now);
      const until = awayUntilOf(msg.content.trim(), today);
      const reply = (t: string) => sendText(hc.manager, msg.from, t, hc.now, { refType: 'directory', refId: msg.from, dedupeKey: `away:${hc.inboxId}` });
      if (until === 'bad') return reply(AWAY.badDate).then(() => 'handled' as const);
      if (until && until < today) return reply(AWAY.pastDate(until)).then(() => 'handled' as const);
      await repo.update({ userid: s.userid }, { away: true, awayUntil: until, updatedAt: hc.now });
      await reply(until ? AWAY.awayUntil(until) : AWAY.awayOpen);
      hc.log.info({ userid: s.userid, awayUntil: until }, 'away from the chat');
      return 'handled';
    },
  });
  conv.command('directory', {
    name: 'back',
    matches: (text) => AWAY.backWords.includes(text),
    async run(msg, hc) {
      const repo = hc.manager.getRepository(Staff);
      const s = await repo.findOneBy({ userid: msg.from });
      if (!s) return 'pass';
      const today = (await calendar()).localDate(hc.now);
      const was = isAway(s, today);
      if (was || s.away) await repo.update({ userid: s.userid }, { away: false, awayUntil: null, updatedAt: hc.now });
      await sendText(hc.manager, msg.from, was ? AWAY.back : AWAY.notAway, hc.now, { refType: 'directory', refId: msg.from, dedupeKey: `back:${hc.inboxId}` });
      return 'handled';
    },
  });
}
