import { expect } from 'chai';
import { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { say } from '../helpers/inbox';
import { accept, createRequest, sweep, officeEnv } from '../helpers/scheduler';
import { ASSISTANT } from '../../src/assistant/messages';

describe('assistant: the office in chat (its help text, `超时` / `督办` lists what is overdue now)', () => {
  let h: Harness;
  let rsj: Api;
  const env = officeEnv('2026-12-01T09:00:00+08:00');
  const t = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00+08:00`;

  beforeEach(() => {
    ({ h, rsj } = env);
  });

  it('帮助: the office gets the office help with the console; unit staff get theirs', async () => {
    const office = await say(h, 'office.duty', '帮助');
    expect(office).to.have.length(1);
    expect(office[0]).to.include('回复“超时”或“督办”').and.include('http://nocert.test/console/').and.not.include('请联系联席会议办公室');
    expect(await say(h, 'gaj.liaison', '帮助')).to.deep.equal([ASSISTANT.help]);
  });

  it('超时 / 督办: nothing overdue, then the overdue requests with unit, item, deadline and lateness in office time, oldest first; a unit member gets the help', async () => {
    expect(await say(h, 'office.chief', '超时')).to.deep.equal(['当前没有超时未办结的协查。控制台：http://nocert.test/console/']);
    const a = await createRequest(rsj);
    h.clock.set(t('09:20'));
    const b = await createRequest(rsj, { issuerUnit: 'SCJ', serviceItem: '个体工商户登记' });
    await h.sys.settle();
    await sweep(h, t('09:01'));
    h.clock.set(t('09:25'));
    await accept(h, 'scj.a', b.id);
    // 12:00-13:30 is not office time: 09:30 to 14:30 is 3.5 office hours.
    h.clock.set(t('14:30'));
    const list = await say(h, 'office.duty', '督办');
    expect(list).to.have.length(1);
    const lines = list[0].split('\n');
    expect(lines[0]).to.equal('当前超时未办结的协查（2件），按截止时间排序：');
    expect(lines[1]).to.equal(`1. 县公安局｜失业保险金申领｜截止12-01 09:30｜已超时3小时30分钟｜未受理｜${a.number}`);
    expect(lines[2]).to.equal(`2. 县市场局｜个体工商户登记｜截止12-01 09:50｜已超时3小时10分钟｜受理人市场代办A｜${b.number}`);
    expect(lines.at(-1)).to.include('http://nocert.test/console/');
    expect(await say(h, 'gaj.liaison', '超时')).to.deep.equal([ASSISTANT.help]);
  });
});
