import { expect } from 'chai';
import { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { cardsTo, lastCard, mark } from '../helpers/inbox';
import { accept, answer, escalatedRequest, escalationsOf, sweep, officeEnv } from '../helpers/scheduler';

describe('escalations: one card per request per office member, kept true', () => {
  let h: Harness;
  let rsj: Api;
  const env = officeEnv('2026-12-01T09:00:00+08:00');
  const t = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00+08:00`;
  const OFFICE = ['office.duty', 'office.chief'];

  beforeEach(() => {
    ({ h, rsj } = env);
  });

  const escalated = () => escalatedRequest(h, rsj, (x) => t(x));

  it('answered late: every member\'s card loses its buttons in place at the next sweep, saying how late; no new message', async () => {
    const { id, esc } = await escalated();
    h.clock.set(t('09:40'));
    await accept(h, 'gaj.a', id);
    await answer(h, 'gaj.a', (await escalationsOf(h, id))[0].number);
    const m0 = mark(h);
    const lines = await sweep(h, t('09:41'));
    expect(lines.find((l) => l.job === 'deadlines-close-cards')).to.deep.include({ action: 'escalation_cards_closed', escalations: [esc.id] });
    for (const u of OFFICE) {
      const card = lastCard(h, u, `esc${esc.id}_`)!;
      expect(h.emu.cardState(u, card.taskId)!.replace_name, u).to.equal('已答复（超时10分钟）');
      expect(cardsTo(h, u, m0), `${u}: no new card`).to.deep.equal([]);
    }
    // Once only.
    const again = await sweep(h, t('09:42'));
    expect(again.find((l) => l.job === 'deadlines-close-cards')).to.equal(undefined);
  });

  it('level 2: the level-1 card is greyed, one live card per member; lateness counts from the original deadline in office time', async () => {
    const { id, esc } = await escalated();
    h.clock.set(t('09:33'));
    const chief = lastCard(h, 'office.chief', `esc${esc.id}_`)!;
    await h.emu.clickButton('office.chief', chief.taskId, `office_order:${esc.id}`, { selectedItems: [{ questionKey: 'complete_by', optionIds: ['2h'] }] });
    await h.sys.settle();
    const m0 = mark(h);
    await sweep(h, t('11:33'));
    const [, esc2] = await escalationsOf(h, id);
    for (const u of OFFICE) {
      const old = lastCard(h, u, `esc${esc.id}_`)!;
      expect(h.emu.cardState(u, old.taskId)!.replace_name, `${u}: the old card is greyed`).to.equal('已转二次超时，见新卡片');
      const fresh = cardsTo(h, u, m0);
      expect(fresh, `${u}: one new card`).to.have.length(1);
      expect(fresh[0].taskId.startsWith(`esc${esc2.id}_`)).to.equal(true);
      // 09:30 to 11:33 in office time: 2 hours 3 minutes late, not the 0 of the ordered time.
      expect(fresh[0].card.emphasis_content.title).to.equal('2小时3分钟');
      expect(fresh[0].card.button_list.map((b: any) => b.text)).to.deep.equal(['督办', '责成限时办结', '约谈']);
    }
  });
});
