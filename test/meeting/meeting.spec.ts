import { expect } from 'chai';
import { JointMeetingAgendaItem } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { lastCard, mark, textsTo } from '../helpers/inbox';
import { sweep, useOfficeChat } from '../helpers/scheduler';

describe('meeting: the joint meeting (SPEC 5, 联席会议制度)', () => {
  let h: Harness;
  let rsj: Api;
  let gaj: Api;
  let office: Api;
  let since = 0;
  const units = SchedulerMother.units();
  const t = (d: string, hhmm: string) => `${d}T${hhmm}:00+08:00`;

  const env = directoryHarness(units, { start: t('2026-11-26', '09:00') });
  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    gaj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'gaj-system', 'GAJ', h.clock.now));
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    await useOfficeChat(h);
    since = mark(h);
  });

  const meeting = { title: '2026年下半年联席会议例会', scheduledAt: t('2026-12-10', '09:30'), place: '县行政审批服务局三楼会议室' };

  it('schedule, agenda from the chat, reminder a week before, minutes to every member unit, acknowledgements and progress', async () => {
    // An item proposed before any meeting is scheduled waits for the next one.
    await h.emu.sendText('rsj.liaison', '议题：关于户籍类证明核验时限的统一');
    await h.sys.settle();
    expect(textsTo(h, 'rsj.liaison', since)).to.deep.equal(['已收到你提出的议题，将列入下次联席会议。']);

    const created = await office.post('/meetings', meeting);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id;
    expect(created.body.units.map((u: any) => u.unit)).to.deep.equal(['GAJ', 'RSJ', 'SCJ']);
    expect(created.body.agenda.map((a: any) => [a.unit, a.text, a.via])).to.deep.equal([['RSJ', '关于户籍类证明核验时限的统一', 'chat']]);

    await h.emu.sendText('gaj.a', '提议议题：历史档案核验的人员配备');
    await h.emu.sendText('gaj.b', '议题：');
    await h.sys.settle();
    expect(textsTo(h, 'gaj.a', since)).to.deep.equal(['已收到你提出的议题，将提交「2026年下半年联席会议例会」（2026-12-10 09:30）。']);
    expect(textsTo(h, 'gaj.b', since)).to.deep.equal(['请在「议题：」后写明议题内容。']);
    expect(await h.sys.dataSource.getRepository(JointMeetingAgendaItem).countBy({ meetingId: id })).to.equal(2);

    // A week before: every member unit's liaison, once.
    expect((await sweep(h, t('2026-12-03', '09:29'))).filter((l) => l.job === 'meeting-reminders')).to.deep.equal([]);
    const rem = await sweep(h, t('2026-12-03', '09:30'));
    expect(rem.filter((l) => l.job === 'meeting-reminders')).to.deep.equal([{ job: 'meeting-reminders', action: 'meeting_reminder', meetingId: id, to: ['gaj.liaison', 'rsj.liaison', 'scj.liaison'] }]);
    await sweep(h, t('2026-12-04', '10:00'));
    const reminders = h.emu.delivered({ touser: 'gaj.liaison', msgtype: 'template_card' }).filter((d) => String(d.payload.main_title?.title).startsWith('会议提醒'));
    expect(reminders).to.have.length(1);
    expect(reminders[0].payload.horizontal_content_list).to.deep.include({ keyname: '已收议题', value: '2' });
    expect(h.emu.delivered({ touser: 'office.duty', msgtype: 'template_card' }).filter((d) => String(d.payload.main_title?.title).startsWith('会议提醒'))).to.have.length(0);

    // Minutes only after the meeting.
    const early = await office.post(`/meetings/${id}/minutes`, { text: '纪要' });
    expect(early.status).to.equal(409);
    h.clock.set(t('2026-12-10', '15:00'));
    const minutes = '一、会议通报了2026年下半年部门核验工作情况。\n二、会议议定：各成员单位于12月31日前完成A/B角配备。';
    const sent = await office.post(`/meetings/${id}/minutes`, { text: minutes });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    expect(sent.body).to.deep.include({ status: 'minuted', unreachable: [], awaitingAcknowledgement: ['GAJ', 'RSJ', 'SCJ'] });
    await h.sys.settle();
    for (const u of ['gaj.liaison', 'rsj.liaison', 'scj.liaison']) {
      expect(lastCard(h, u, `mt${id}_`), `minutes card of ${u}`).to.exist;
      expect(textsTo(h, u, since).join('\n')).to.include('各成员单位于12月31日前完成A/B角配备');
    }
    expect((await office.post(`/meetings/${id}/minutes`, { text: minutes })).status, 'sent once').to.equal(409);

    // The unit acknowledges by clicking; the card shows it.
    const card = lastCard(h, 'gaj.liaison', `mt${id}_`)!;
    await h.emu.clickButton('gaj.liaison', card.taskId, `meeting_ack:${id}`);
    await h.sys.settle();
    expect(h.emu.cardState('gaj.liaison', card.taskId)!.replace_name).to.equal('已确认收到');
    let got = await office.get(`/meetings/${id}`);
    expect(got.body.acknowledged).to.equal(1);
    expect(got.body.awaitingAcknowledgement).to.deep.equal(['RSJ', 'SCJ']);
    expect(got.body.units.find((u: any) => u.unit === 'GAJ')).to.deep.include({ acknowledgedBy: 'gaj.liaison', acknowledgedAt: t('2026-12-10', '15:00') });

    // Progress back to the office; a unit reports only for itself.
    expect((await rsj.post(`/meetings/${id}/units/GAJ/progress`, { text: '代报' })).status).to.equal(403);
    const progress = await gaj.post(`/meetings/${id}/units/GAJ/progress`, { text: '已完成A/B角配备并报备。' });
    expect(progress.status).to.equal(200);
    const ack = await rsj.post(`/meetings/${id}/units/RSJ/acknowledge`, {});
    expect(ack.status).to.equal(200);
    got = await office.get(`/meetings/${id}`);
    expect(got.body.units.find((u: any) => u.unit === 'GAJ').progress).to.equal('已完成A/B角配备并报备。');
    expect(got.body.awaitingAcknowledgement).to.deep.equal(['SCJ']);
  });

  it('refuses a meeting in the past, a unit key, unknown units; nothing is created', async () => {
    const past = await office.post('/meetings', { ...meeting, scheduledAt: t('2026-11-26', '08:00') });
    expect([past.status, past.body.error.code]).to.deep.equal([422, 'meeting_time_past']);
    const asUnit = await rsj.post('/meetings', meeting);
    expect(asUnit.status).to.equal(403);
    const unknown = await office.post('/meetings', { ...meeting, units: ['GAJ', 'NOPE'] });
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([422, 'unit_unknown']);
    const bad = await office.post('/meetings', { ...meeting, scheduledAt: 'next week' });
    expect(bad.status).to.equal(422);
    expect((await office.get('/meetings')).body.meetings).to.deep.equal([]);
  });

  it('reminds the office when six months pass without a regular meeting, once a month, until one is scheduled', async () => {
    h.clock.set(t('2026-01-05', '10:00'));
    const first = await office.post('/meetings', { ...meeting, title: '2026年上半年联席会议例会', scheduledAt: t('2026-01-15', '09:30') });
    expect(first.status).to.equal(201);
    const chat = SchedulerMother.officeChatId;
    const overdue = () => h.emu.appchatMessages(chat).filter((m) => String(m.payload.content).includes('【联席会议提醒】'));
    const before = overdue().length;
    expect((await sweep(h, t('2026-07-14', '10:00'))).filter((l) => l.action === 'meeting_overdue')).to.deep.equal([]);
    const lines = await sweep(h, t('2026-07-15', '10:00'));
    expect(lines.find((l) => l.action === 'meeting_overdue')).to.deep.include({ lastMeetingId: first.body.id, group: 'appchat', to: ['office.chief', 'office.duty'] });
    expect(overdue().slice(before).map((m) => m.payload.content)).to.deep.equal(['【联席会议提醒】距上次联席会议例会（2026-01-15）已满6个月，请安排召开（联席会议制度：原则上每半年召开一次例会）。']);
    expect(textsTo(h, 'office.duty', since).join('\n')).to.include('已满6个月');
    await sweep(h, t('2026-07-20', '10:00'));
    expect(overdue().length - before).to.equal(1);
    await sweep(h, t('2026-08-03', '10:00'));
    expect(overdue().length - before, 'again the next month').to.equal(2);
    h.clock.set(t('2026-08-03', '11:00'));
    expect((await office.post('/meetings', { ...meeting, scheduledAt: t('2026-09-10', '09:30') })).status).to.equal(201);
    await sweep(h, t('2026-09-01', '10:00'));
    expect(overdue().length - before, 'a meeting is scheduled').to.equal(2);
  });
});
