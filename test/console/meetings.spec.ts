import { expect } from 'chai';
import { JointMeeting, JointMeetingAgendaItem, JointMeetingDecision, JointMeetingMember, JointMeetingUnit } from '../../entities';
import type { Harness } from '../helpers/system';
import { cardsTo, mark, textsTo } from '../helpers/inbox';
import { AUDITOR, ConsoleClient, consoleHarness } from './console-mother';

describe('console: the joint meeting (SPEC 5, 联席会议制度): members, meetings, agenda, minutes, decisions', () => {
  let h: Harness;
  const env = consoleHarness();
  beforeEach(() => {
    h = env.h;
  });

  const signedIn = async (userid: string) => {
    const c = new ConsoleClient(h);
    await c.login(userid);
    return c;
  };
  const csrfOf = async (c: ConsoleClient, url = '/console/meetings') => ConsoleClient.csrf(await (await c.get(url)).text());
  const ok = (res: Response, to: string) => expect(res.headers.get('location'), to).to.equal(to);
  const meetings = () => h.sys.dataSource.getRepository(JointMeeting).find({ order: { id: 'ASC' } });

  /** The office names the convenor and two member units through the forms. */
  async function members(office: ConsoleClient, csrf: string): Promise<void> {
    ok(await office.post('/console/meetings/members/convenor', { csrf, userid: 'office.duty', role: 'general_convenor' }), '/console/meetings?done=convenor');
    for (const [unit, liaison] of [['GAJ', 'gaj.liaison'], ['RSJ', 'rsj.liaison']]) {
      ok(await office.post('/console/meetings/members/unit', { csrf, unit, liaison, effectiveOn: '2026-11-01' }), '/console/meetings?done=unit');
    }
  }

  it('the office names members, schedules a meeting, takes agenda items, sends the minutes with decisions; units acknowledge and report progress', async () => {
    let office = await signedIn('office.duty');
    let csrf = await csrfOf(office);
    await members(office, csrf);
    let page = await (await office.get('/console/meetings')).text();
    expect(page).to.include('办公室值班（office.duty）').and.include('公安联络员（gaj.liaison）').and.include('2026-11-01');

    // Scheduled in office time; its liaison meeting the working day before.
    let res = await office.post('/console/meetings', { csrf, title: '2026年12月联席会议', kind: 'regular', scheduledAt: '2026-12-10T09:30', place: '三楼会议室' });
    const m = /^\/console\/meetings\/(\d+)\?done=scheduled$/.exec(res.headers.get('location') ?? '');
    expect(m, res.headers.get('location') ?? '').to.exist;
    const id = Number(m![1]);
    const all = await meetings();
    expect(all.map((x) => [x.kind, x.title, x.scheduledAt.toISOString(), x.preparesId])).to.deep.equal([
      ['regular', '2026年12月联席会议', '2026-12-10T01:30:00.000Z', null],
      ['liaison', '2026年12月联席会议（联络员会议）', '2026-12-09T01:30:00.000Z', id],
    ]);
    expect((await h.sys.dataSource.getRepository(JointMeetingUnit).findBy({ meetingId: id })).map((u) => u.unitCode).sort()).to.deep.equal(['GAJ', 'RSJ']);

    // A member unit proposes; the convenor is asked by card; the office enters the convenor's approval.
    await h.sys.settle();
    const since = mark(h);
    const rsj = await signedIn('rsj.liaison');
    ok(await rsj.post(`/console/meetings/${id}/agenda`, { csrf: await csrfOf(rsj, `/console/meetings/${id}`), text: '统一户籍类证明核验时限' }), `/console/meetings/${id}?done=agenda`);
    const [item] = await h.sys.dataSource.getRepository(JointMeetingAgendaItem).findBy({ meetingId: id });
    expect([item.unitCode, item.status, item.proposedBy]).to.deep.equal(['RSJ', 'proposed', 'rsj.liaison']);
    await h.sys.settle();
    expect(cardsTo(h, 'office.duty', since).map((x) => x.taskId)).to.deep.equal([`ma${item.id}_${(await h.sys.dataSource.getRepository(JointMeetingMember).findOneByOrFail({ userid: 'office.duty' })).id}`]);
    ok(await office.post(`/console/meetings/${id}/agenda-decision`, { csrf, item: String(item.id), approve: 'yes', convenor: 'office.duty' }), `/console/meetings/${id}?done=agenda-decision`);
    expect((await h.sys.dataSource.getRepository(JointMeetingAgendaItem).findOneByOrFail({ id: item.id })).status).to.equal('approved');
    await h.sys.settle();
    expect(textsTo(h, 'rsj.liaison', since).join('\n')).to.include('统一户籍类证明核验时限');
    // A convenor's own item is on the agenda at once.
    ok(await office.post(`/console/meetings/${id}/agenda`, { csrf, text: '免提交清单年度调整', convenor: 'office.duty' }), `/console/meetings/${id}?done=agenda`);

    // Minutes come after the meeting.
    res = await office.post(`/console/meetings/${id}/minutes`, { csrf, text: '纪要', decisions: '' });
    ok(res, `/console/meetings/${id}?error=meeting_not_held`);
    h.clock.set('2026-12-10T15:00:00+08:00');
    // A session lasts 8 hours: sign in again on the day.
    office = await signedIn('office.duty');
    csrf = await csrfOf(office);
    res = await office.post(`/console/meetings/${id}/minutes`, { csrf, text: '会议纪要全文', decisions: 'GAJ|2026-12-31|统一户籍类证明核验时限\nRSJ|2027-01-15|完善清单', noConsensus: '跨县核验经费' });
    ok(res, `/console/meetings/${id}?done=minutes`);
    expect((await meetings()).find((x) => x.id === id)!.status).to.equal('minuted');
    const decisions = await h.sys.dataSource.getRepository(JointMeetingDecision).find({ where: { meetingId: id }, order: { seq: 'ASC' } });
    expect(decisions.map((d) => [d.seq, d.unitCode, d.dueDate, d.consensus, d.text])).to.deep.equal([
      [1, 'GAJ', '2026-12-31', true, '统一户籍类证明核验时限'],
      [2, 'RSJ', '2027-01-15', true, '完善清单'],
      [3, null, null, false, '跨县核验经费'],
    ]);
    await h.sys.settle();
    expect(cardsTo(h, 'gaj.liaison', since).map((x) => x.taskId)).to.include.members([`md${decisions[0].id}_minutes_0`]);

    // The unit acknowledges and reports progress on its decision; another unit's decision is refused.
    const gaj = await signedIn('gaj.liaison');
    const gcsrf = await csrfOf(gaj, `/console/meetings/${id}`);
    ok(await gaj.post(`/console/meetings/${id}/acknowledge`, { csrf: gcsrf }), `/console/meetings/${id}?done=acknowledge`);
    ok(await gaj.post(`/console/meetings/decisions/${decisions[0].id}/progress`, { csrf: gcsrf, text: '已印发统一时限通知' }), `/console/meetings/${id}?done=progress`);
    ok(await gaj.post(`/console/meetings/decisions/${decisions[1].id}/progress`, { csrf: gcsrf, text: '不是我们的' }), `/console/meetings/decisions/${decisions[1].id}?error=forbidden`);
    ok(await office.post(`/console/meetings/decisions/${decisions[2].id}/county`, { csrf, text: '县政府同意列入预算' }), `/console/meetings/${id}?done=county`);
    const after = await h.sys.dataSource.getRepository(JointMeetingDecision).find({ where: { meetingId: id }, order: { seq: 'ASC' } });
    expect(after.map((d) => [d.progress, d.progressBy, d.countyOutcome])).to.deep.equal([
      ['已印发统一时限通知', 'wecom:gaj.liaison', null],
      [null, null, null],
      [null, null, '县政府同意列入预算'],
    ]);
    expect((await h.sys.dataSource.getRepository(JointMeetingUnit).findOneByOrFail({ meetingId: id, unitCode: 'GAJ' })).acknowledgedBy).to.equal('wecom:gaj.liaison');
    page = await (await office.get(`/console/meetings/${id}`)).text();
    expect(page).to.include('已印发统一时限通知').and.include('县政府同意列入预算').and.include('会议纪要全文').and.include('已列入');
  });

  it('refusals: units and auditors cannot schedule, a missing CSRF token or bad input changes nothing, with a clear error', async () => {
    let office = await signedIn('office.duty');
    let csrf = await csrfOf(office);
    await members(office, csrf);
    const form = { title: '会议', kind: 'regular', scheduledAt: '2026-12-10T09:30' };
    const auditor = await signedIn(AUDITOR);
    const seen = await (await auditor.get('/console/meetings')).text();
    expect(seen).not.to.include('action="/console/meetings"');
    expect((await auditor.post('/console/meetings', { csrf: ConsoleClient.csrf(seen), ...form })).status).to.equal(403);
    expect((await auditor.post('/console/meetings/members/liaison', { csrf: ConsoleClient.csrf(seen), unit: 'GAJ', liaison: 'gaj.a', effectiveOn: '2026-12-01' })).status).to.equal(403);
    const scj = await signedIn('scj.liaison');
    expect((await scj.post('/console/meetings', { csrf: await csrfOf(scj), ...form })).status).to.equal(403);
    expect((await office.post('/console/meetings', form)).status).to.equal(403);
    expect(await meetings()).to.deep.equal([]);

    const refused = async (path: string, body: Record<string, string>, want: string) => {
      const res = await office.post(path, { csrf, ...body });
      const html = await (await office.get(res.headers.get('location')!)).text();
      expect(html, `${path} ${JSON.stringify(body)}`).to.include(want);
    };
    await refused('/console/meetings', { ...form, scheduledAt: '2026-11-01T09:30' }, '会议时间须在现在之后');
    await refused('/console/meetings', { ...form, scheduledAt: '明天上午' }, '填写有误：会议时间');
    await refused('/console/meetings', { ...form, title: '' }, '填写有误：会议名称');
    await refused('/console/meetings/members/unit', { unit: 'SCJ', liaison: 'gaj.a', effectiveOn: '2026-11-01' }, '该人员不在通讯录中，或不是该单位的人员');
    await refused('/console/meetings/members/convenor', { userid: 'rsj.a', role: 'general_convenor' }, '会议或事项当前状态下不能办理此项');
    expect(await meetings()).to.deep.equal([]);
    expect(await h.sys.dataSource.getRepository(JointMeetingMember).count()).to.equal(3);

    // A bad decision line refuses the whole minutes.
    await office.post('/console/meetings', { csrf, ...form });
    const [mt] = await meetings();
    h.clock.set('2026-12-10T15:00:00+08:00');
    office = await signedIn('office.duty');
    csrf = await csrfOf(office);
    await refused(`/console/meetings/${mt.id}/minutes`, { text: '纪要', decisions: 'GAJ 2026-12-31 统一时限' }, '填写有误：议定事项（每行应为：单位代码|YYYY-MM-DD|内容，单位须存在）');
    await refused(`/console/meetings/${mt.id}/minutes`, { text: '纪要', decisions: 'NOPE|2026-12-31|统一时限' }, '没有这个单位');
    expect((await h.sys.dataSource.getRepository(JointMeeting).findOneByOrFail({ id: mt.id })).status).to.equal('scheduled');
    expect(await h.sys.dataSource.getRepository(JointMeetingDecision).count()).to.equal(0);

    // Member units named at scheduling must exist; a member is removed through its form.
    await refused('/console/meetings', { ...form, scheduledAt: '2026-12-20T09:30', units: 'GAJ,NOPE' }, '没有这个单位');
    expect(await meetings()).to.have.length(2);
    ok(await office.post('/console/meetings/members/remove', { csrf, member: 'unit:RSJ' }), '/console/meetings?done=removed');
    ok(await office.post('/console/meetings/members/remove', { csrf, member: 'user:office.duty' }), '/console/meetings?done=removed');
    expect((await h.sys.dataSource.getRepository(JointMeetingMember).find()).map((x) => x.unitCode)).to.deep.equal(['GAJ']);
    await refused('/console/meetings/members/remove', { member: 'unit:RSJ' }, '没有找到该会议、成员或事项');
    const res = await office.post('/console/meetings', { csrf, ...form, title: '专题会议', scheduledAt: '2026-12-20T09:30', units: 'SCJ, RSJ' });
    const id = Number(/\/console\/meetings\/(\d+)\?done=scheduled/.exec(res.headers.get('location') ?? '')?.[1]);
    expect((await h.sys.dataSource.getRepository(JointMeetingUnit).findBy({ meetingId: id })).map((u) => u.unitCode).sort()).to.deep.equal(['RSJ', 'SCJ']);
  });
});
