import { expect } from 'chai';
import { Harness } from '../helpers/system';
import { Api } from '../helpers/api';
import { say } from '../helpers/inbox';
import { accept, createRequest, officeEnv } from '../helpers/scheduler';
import { VerificationRequest } from '../../entities';

describe('verification: short numbers in the answer words (核验一致 0007)', () => {
  let h: Harness;
  let rsj: Api;
  const env = officeEnv('2026-11-30T16:00:00+08:00');
  const t = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00+08:00`;

  beforeEach(() => {
    ({ h, rsj } = env);
  });

  /** Six requests were numbered earlier on the day: the next one is 0007. */
  async function sixEarlier(day: string): Promise<void> {
    const m = h.sys.dataSource.manager;
    const e = (x: string) => m.connection.driver.escape(x);
    await m.query(`INSERT INTO ${e('daily_counters')} (${e('series')}, ${e('day')}, ${e('last_seq')}) VALUES ('HC', ?, 6)`, [day]);
  }

  const status = async (id: number) => (await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id })).status;

  it('resolves 0007 when one open request has it; lists unit, item and deadline when two do, or when no number is given', async () => {
    await sixEarlier('20261130');
    const old = await createRequest(rsj, { category: 'paper', serviceItem: '最低生活保障' });
    expect(old.number).to.equal('HC20261130-0007');
    await h.sys.settle();
    await accept(h, 'gaj.a', old.id);

    h.clock.set(t('09:00'));
    await sixEarlier('20261201');
    const today = await createRequest(rsj);
    expect(today.number).to.equal('HC20261201-0007');
    const other = await createRequest(rsj, { serviceItem: '就业困难人员认定' });
    await h.sys.settle();
    await accept(h, 'gaj.a', other.id);

    h.clock.set(t('09:05'));
    // While today's 0007 still waits for 受理, 0007 means yesterday's: the one A must answer.
    const echo = await say(h, 'gaj.a', '核验一致 0007');
    expect(echo).to.have.length(1);
    expect(echo[0]).to.include('请核对：县人社局「最低生活保障」协查 HC20261130-0007').and.include('回复「确认」提交');
    await say(h, 'gaj.a', '取消');
    expect(await status(old.id)).to.equal('accepted');

    // Today's 0007 accepted too: 0007 is now two of A's requests, listed by unit, item and deadline.
    await accept(h, 'gaj.a', today.id);
    const both = await say(h, 'gaj.a', '核验一致 0007');
    expect(both).to.have.length(1);
    const lines = both[0].split('\n');
    expect(lines[0]).to.equal('编号 0007 对应你的多件协查，请回复完整编号：');
    expect(lines.slice(1)).to.have.length(2);
    // Most urgent first: today's digital one before yesterday's paper one.
    expect(lines[1]).to.equal('1. 县人社局「失业保险金申领」截止12-01 09:30（剩25分钟）待答复｜编号HC20261201-0007');
    expect(lines[2]).to.match(/^2\. 县人社局「最低生活保障」截止12-0\d \d\d:\d\d（剩.+）待答复｜编号HC20261130-0007$/);
    expect(await status(old.id)).to.equal('accepted');
    expect(await status(today.id)).to.equal('accepted');

    // No number and three open: the same list, with the word to use.
    const which = (await say(h, 'gaj.a', '核验不一致'))[0].split('\n');
    expect(which[0]).to.equal('你有多件未办结的协查，请在回复后加编号，例如「核验不一致 0007」：');
    expect(which, 'one message, unit, item and deadline per request').to.have.length(4);
    expect(which.slice(1).map((l) => l.replace(/截止.*$/, ''))).to.deep.equal(['1. 县人社局「失业保险金申领」', '2. 县人社局「就业困难人员认定」', '3. 县人社局「最低生活保障」']);

    // The full number still picks one; a short number that is unique picks it; leading zeros optional.
    expect((await say(h, 'gaj.a', '核验一致 HC20261201-0007'))[0]).to.include('协查 HC20261201-0007');
    await say(h, 'gaj.a', '确认');
    expect(await status(today.id)).to.equal('answered');
    expect((await say(h, 'gaj.a', '核验一致 7'))[0]).to.include('协查 HC20261130-0007');
    await say(h, 'gaj.a', '确认');
    expect(await status(old.id)).to.equal('answered');

    // A short number nobody of A's has; and B, who holds no such request.
    expect(await say(h, 'gaj.a', '核验一致 0042')).to.deep.equal(['没有找到协查请求 0042。']);
    expect(await say(h, 'gaj.b', '核验一致 0008')).to.deep.equal(['没有找到协查请求 0008。']);
    // 查询 with a short number among A's open requests.
    expect((await say(h, 'gaj.a', '查询 8'))[0]).to.match(/^县人社局「就业困难人员认定」协查 HC20261201-0008：已受理/);
  });

  it('a short number of a request still waiting for 受理 says so; 撤回 takes a short number', async () => {
    h.clock.set(t('09:00'));
    const r = await createRequest(rsj);
    await h.sys.settle();
    expect(await say(h, 'gaj.a', '核验一致 1')).to.deep.equal([`县人社局「失业保险金申领」协查 ${r.number} 尚未受理，请先在卡片上点击「受理」。`]);
    await accept(h, 'gaj.a', r.id);
    await say(h, 'gaj.a', '核验一致 1');
    await say(h, 'gaj.a', '确认');
    expect(await status(r.id)).to.equal('answered');
    const back = await say(h, 'gaj.a', '撤回 0001');
    expect(back.join('\n')).to.include('已撤回对县人社局「失业保险金申领」协查');
    expect(await status(r.id)).to.equal('accepted');
  });
});
