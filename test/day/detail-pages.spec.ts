import { expect } from 'chai';
import { Staff, VerificationEvent } from '../../entities';
import { ConsoleClient, consoleHarness } from '../console/console-mother';
import { lastCard } from '../helpers/inbox';

/** Issue 18 item 10: the history in words, and who was notified on the office's page. */
describe('detail pages: the history in labels and names; who was notified', () => {
  const env = consoleHarness();
  const t = (hhmm: string) => `2026-12-01T${hhmm}:00+08:00`;
  let id: number;

  beforeEach(async () => {
    const { h } = env;
    ({ id } = (await h.sys.dataSource.getRepository('VerificationRequest').findOneByOrFail({ requesterUnit: 'RSJ' })) as { id: number });
    h.clock.set(t('09:50'));
    await h.emu.clickButton('gaj.a', lastCard(h, 'gaj.a', `vr${id}_`)!.taskId, `verif_accept:${id}`);
    await h.sys.settle();
  });

  async function pageOf(userid: string): Promise<string> {
    const { h } = env;
    const get = (path: string, cookie?: string) => fetch(`${h.sys.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    const first = await get(`/v/${id}`);
    const state = new URL(first.headers.get('location')!).searchParams.get('state')!;
    const res = await get(`/v/login?code=${encodeURIComponent(h.emu.issueOAuthCode(userid))}&state=${encodeURIComponent(state)}`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    const page = await get(`/v/${id}`, cookie);
    expect(page.status).to.equal(200);
    return page.text();
  }

  async function rawCodes(): Promise<{ types: string[]; userids: string[] }> {
    const ds = env.h.sys.dataSource;
    const types = [...new Set((await ds.getRepository(VerificationEvent).findBy({ requestId: id })).map((e) => e.type))];
    return { types, userids: (await ds.getRepository(Staff).find()).map((s) => s.userid) };
  }

  it('the card link page: 「受理 · 县公安局A角 公安代办A」, no event code, no userid', async () => {
    const html = await pageOf('gaj.liaison');
    const history = html.slice(html.indexOf('办理记录'));
    expect(history).to.include('受理 · 县公安局A角 公安代办A');
    expect(history).to.include('发起协查 · 单位业务系统');
    expect(history).to.include('超时，报告联席会议办公室 · 系统');
    const { types, userids } = await rawCodes();
    expect(types).to.include.members(['created', 'accepted', 'escalated']);
    for (const ty of types) expect(history, ty).not.to.match(new RegExp(`\\b${ty}\\b`));
    for (const u of userids) expect(html, u).not.to.include(u);
  });

  it("the office's console page lists who was notified (name, role, kind, delivered or pending); unit staff do not get the section", async () => {
    const { h } = env;
    const office = new ConsoleClient(h);
    await office.login('office.duty');
    let html = await (await office.get(`/console/verifications/${id}`)).text();
    const told = html.slice(html.indexOf('通知记录'));
    expect(told).to.include('县公安局联络员 公安联络员').and.include('县公安局A角 公安代办A');
    expect(told).to.include('卡片').and.include('卡片更新').and.include('已送达');
    expect(told, 'the escalation cards of the office').to.include('办公室值班');
    expect(told).not.to.include('待发送');
    const trail = html.slice(html.indexOf('办理记录'), html.indexOf('通知记录'));
    const { types, userids } = await rawCodes();
    for (const ty of types) expect(trail, ty).not.to.match(new RegExp(`\\b${ty}\\b`));
    for (const u of userids) expect(html, u).not.to.include(`>${u}<`).and.not.include(` ${u}<`);

    // A 督办 from the console: its messages show as pending until the outbox sends them.
    html = await (await office.get(`/console/verifications/${id}`)).text();
    const form = ConsoleClient.csrf(html);
    const esc = /name="escalation" value="(\d+)"/.exec(html)![1];
    h.clock.set(t('09:55'));
    expect((await office.post(`/console/verifications/${id}/actions`, { csrf: form, kind: 'urge', escalation: esc, note: '' })).status).to.equal(302);
    html = await (await office.get(`/console/verifications/${id}`)).text();
    expect(html.slice(html.indexOf('通知记录'))).to.include('待发送');
    await h.sys.settle();
    html = await (await office.get(`/console/verifications/${id}`)).text();
    expect(html.slice(html.indexOf('通知记录'))).not.to.include('待发送');

    const unit = new ConsoleClient(h);
    await unit.login('gaj.liaison');
    const mine = await unit.get(`/console/verifications/${id}`);
    expect(mine.status).to.equal(200);
    expect(await mine.text()).not.to.include('通知记录');
  });
});
