import { expect } from 'chai';
import { holderCard } from './holder';
import { Staff } from '../../entities';
import { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { cardsTo, lastCard, mark, say, textsTo } from '../helpers/inbox';
import { createRequest, escalationsOf, sweep, officeEnv } from '../helpers/scheduler';

describe('escalations: away and back from the chat, why B got the card, and who hears escalations', () => {
  let h: Harness;
  let rsj: Api;
  const env = officeEnv('2026-12-01T09:00:00+08:00');
  const t = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00+08:00`;

  beforeEach(() => {
    ({ h, rsj } = env);
  });

  const staff = (userid: string) => h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid });

  it('请假至12月7日 sets away until that day (the card goes to B), 我回来了 clears it; a date that does not exist is refused', async () => {
    expect(await say(h, 'gaj.a', '请假至12月7日')).to.deep.equal(['已登记请假至 2026-12-07（含）。期间新的协查由其他人员补位办理；提前返岗请回复“我回来了”。']);
    expect(await staff('gaj.a')).to.deep.include({ away: true, awayUntil: '2026-12-07' });
    const r = await createRequest(rsj);
    await h.sys.settle();
    const bCard = lastCard(h, 'gaj.b', `vr${r.id}_`);
    expect(bCard, 'B covers A from the first card').to.exist;
    expect(bCard!.card.main_title.desc, 'and the first card says why').to.equal(`协查请求 ${r.number}｜A角公安代办A请假，由你（B角）受理`);
    expect(bCard!.card.main_title.title.slice(0, 40), 'the lead stays unit, item, deadline').to.include('县人社局').and.include('失业保险金申领');
    expect(lastCard(h, 'gaj.liaison', `vr${r.id}_`)!.card.main_title.desc, 'the liaison stands in for nobody').to.equal(`协查请求 ${r.number}`);
    expect(lastCard(h, 'gaj.a', `vr${r.id}_`)).to.equal(undefined);

    expect(await say(h, 'gaj.a', '我回来了')).to.deep.equal(['欢迎回来，已恢复接收协查。']);
    expect(await staff('gaj.a')).to.deep.include({ away: false, awayUntil: null });
    expect(await say(h, 'gaj.a', '我回来了')).to.deep.equal(['你当前未登记请假，无需销假。']);
    expect(await say(h, 'gaj.a', '请假至2月30日')).to.deep.equal(['请假日期不正确，请按“请假至12月7日”的格式回复。']);
    expect((await staff('gaj.a')).away).to.equal(false);
    // A date earlier in the year means next year's.
    expect(await say(h, 'gaj.b', '请假至1月3日')).to.deep.equal(['已登记请假至 2027-01-03（含）。期间新的协查由其他人员补位办理；提前返岗请回复“我回来了”。']);
  });

  it("B's card says why B got it (A silent, or A away since), and escalation and 督办 reach B who holds the card", async () => {
    const silent = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    const since = mark(h);
    await sweep(h, t('09:15'));
    const bText = textsTo(h, 'gaj.b', since).find((x) => x.startsWith('【B角补位】'))!;
    expect(bText).to.equal(`【B角补位】县人社局「失业保险金申领」截止 2026-12-01 09:30：A角公安代办A和联络员尚未处理，请你及时受理（见上方卡片）。协查 ${silent.number}`);
    expect(lastCard(h, 'gaj.b', `vr${silent.id}_`)!.card.main_title.desc).to.equal(`协查请求 ${silent.number}｜A角公安代办A和联络员尚未处理，请你补位`);
    expect(bText.slice(0, 40), 'the lock screen shows unit, item and deadline').to.include('县人社局').and.include('失业保险金申领').and.include('09:30');

    // The deadline passes with nobody acting: B, who holds a card, hears it, and the 督办 too.
    const m0 = mark(h);
    await sweep(h, t('09:30'));
    // B's own card turns to 已超时 (no text besides).
    expect(holderCard(h, 'gaj.b', silent.id)!.card.main_title.title).to.include('已超时');
    expect(textsTo(h, 'gaj.b', m0).filter((x) => x.includes(silent.number))).to.deep.equal([]);
    const [esc] = await escalationsOf(h, silent.id);
    const duty = lastCard(h, 'office.duty', `esc${esc.id}_`)!;
    h.clock.set(t('09:35'));
    await h.emu.clickButton('office.duty', duty.taskId, `office_urge:${esc.id}`);
    await h.sys.settle();
    expect(holderCard(h, 'gaj.b', silent.id)!.card.main_title.desc).to.include('联席会议办公室督办');
    // A double tap (and the other member a minute later) is the same urge: nothing more reaches the unit.
    const m2 = mark(h);
    h.clock.set(t('09:36'));
    await h.emu.clickButton('office.duty', duty.taskId, `office_urge:${esc.id}`);
    await h.emu.clickButton('office.chief', lastCard(h, 'office.chief', `esc${esc.id}_`)!.taskId, `office_urge:${esc.id}`);
    await h.sys.settle();
    expect(textsTo(h, 'office.duty', m2)).to.deep.equal([`协查 ${silent.number} 刚刚已督办，未重复发送。`]);
    expect(textsTo(h, 'office.chief', m2)).to.deep.equal([`协查 ${silent.number} 刚刚已督办，未重复发送。`]);
    for (const u of ['gaj.b', 'gaj.liaison', 'gaj.a']) expect(textsTo(h, u, m2), u).to.deep.equal([]);
    for (const u of ['gaj.b', 'gaj.liaison', 'gaj.a']) expect(cardsTo(h, u, m2), u).to.deep.equal([]);

    // A second request: A goes away after it arrived, so B's text says A is away.
    h.clock.set(t('10:00'));
    const away = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('10:01'));
    h.clock.set(t('10:05'));
    await say(h, 'gaj.a', '请假至12月2日');
    const m1 = mark(h);
    await sweep(h, t('10:15'));
    expect(textsTo(h, 'gaj.b', m1).find((x) => x.startsWith('【B角补位】'))).to.include('A角公安代办A请假').and.include(away.number);
  });
});
