import { expect } from 'chai';
import { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { cardOf, mark, textsTo } from '../helpers/inbox';
import { createRequest, officeEnv } from '../helpers/scheduler';

describe('verification: a 受理 after the deadline says the answer is already late', () => {
  let h: Harness;
  let rsj: Api;
  const env = officeEnv('2026-12-01T09:00:00+08:00');

  beforeEach(() => {
    ({ h, rsj } = env);
  });

  async function acceptAt(at: string): Promise<{ texts: string[]; card: any }> {
    h.clock.set('2026-12-01T09:00:00+08:00');
    const r = await createRequest(rsj);
    await h.sys.settle();
    const card = cardOf(h, 'gaj.a', r.id)!;
    h.clock.set(at);
    const since = mark(h);
    await h.emu.clickButton('gaj.a', card.taskId, `verif_accept:${r.id}`);
    await h.sys.settle();
    return { texts: textsTo(h, 'gaj.a', since), card: h.emu.cardState('gaj.a', card.taskId)!.card };
  }

  it('late: the text and the answer card say how late, in office time; on time: the usual text', async () => {
    const late = await acceptAt('2026-12-01T10:15:00+08:00');
    expect(late.texts).to.have.length(1);
    expect(late.texts[0]).to.match(/^你已受理县人社局「失业保险金申领」协查 HC20261201-\d{4}。该请求已超过答复时限（截止 2026-12-01 09:30，已超时45分钟），请立即答复。/);
    expect(late.card.main_title.desc).to.include('已超时，请立即答复');
    // The status card's lead and facts (issue 18 item 6): how late in office time, the original deadline.
    expect(late.card.main_title.title).to.equal('县人社局·失业保险金申领 已超时45分钟');
    expect(late.card.emphasis_content).to.deep.equal({ title: '45分钟', desc: '已超时（办公时间）' });
    expect(late.card.sub_title_text).to.include('原截止12-01 09:30');
    expect(late.card.button_list.map((b: any) => b.text)).to.include('核验一致');

    const onTime = await acceptAt('2026-12-01T09:10:00+08:00');
    expect(onTime.texts[0]).to.match(/^你已受理县人社局「失业保险金申领」协查 HC20261201-\d{4}，请于 2026-12-01 09:30 前答复。/);
    expect(onTime.texts[0]).not.to.include('超时');
    expect(onTime.card.main_title.desc).to.include('请答复').and.not.include('超时');
  });
});
