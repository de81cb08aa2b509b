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

  /** Two member units of three (the list is not every unit), a general convenor and a convenor. */
  async function members(): Promise<void> {
    expect((await office.put('/meeting/members/convenors/office.chief', { role: 'general_convenor' })).status).to.equal(200);
    expect((await office.put('/meeting/members/convenors/office.duty', { role: 'convenor' })).status).to.equal(200);
    for (const [unit, liaison] of [['GAJ', 'gaj.liaison'], ['RSJ', 'rsj.liaison']]) {
      const res = await office.post('/meeting/members/units', { unit, liaison, effectiveOn: '2026-11-01' });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
  }
  const meetingCards = (u: string, prefix: string) => h.emu.delivered({ touser: u, msgtype: 'template_card' }).filter((d) => String(d.payload.main_title?.title).startsWith(prefix));

  it('members: convenors and member units with their meeting liaison; a change of liaison is filed with its date and kept', async () => {
    await members();
    let got = await office.get('/meeting/members');
    expect(got.body).to.deep.include({ generalConvenor: 'office.chief', convenors: ['office.duty'] });
    expect(got.body.units.map((u: any) => [u.unit, u.liaison])).to.deep.equal([['GAJ', 'gaj.liaison'], ['RSJ', 'rsj.liaison']]);
    // The unit files the change with the office; it takes effect on its date.
    expect((await rsj.post('/meeting/members/units/GAJ/liaison', { liaison: 'rsj.a', effectiveOn: '2026-12-01' })).status, 'another unit').to.equal(403);
    expect((await gaj.post('/meeting/members/units/GAJ/liaison', { liaison: 'rsj.a', effectiveOn: '2026-12-01' })).body.error.code, 'not GAJ staff').to.equal('staff_unknown');
    const changed = await gaj.post('/meeting/members/units/GAJ/liaison', { liaison: 'gaj.a', effectiveOn: '2026-12-01' });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    got = await office.get('/meeting/members');
    const g = got.body.units.find((u: any) => u.unit === 'GAJ');
    expect(g.liaison, 'not yet in effect').to.equal('gaj.liaison');
    expect(g.history).to.deep.equal([
      { liaison: 'gaj.liaison', previous: null, effectiveOn: '2026-11-01', filedBy: 'api:office-console' },
      { liaison: 'gaj.a', previous: 'gaj.liaison', effectiveOn: '2026-12-01', filedBy: 'api:gaj-system' },
    ]);
    h.clock.set(t('2026-12-01', '09:00'));
    expect((await office.get('/meeting/members')).body.units.find((u: any) => u.unit === 'GAJ').liaison).to.equal('gaj.a');
    expect((await office.put('/meeting/members/convenors/rsj.a', { role: 'general_convenor' })).status, 'one general convenor').to.equal(409);
    expect((await office.post('/meeting/members/units/SCJ/liaison', { liaison: 'scj.a', effectiveOn: '2026-12-01' })).body.error.code).to.equal('meeting_not_member');
  });

  it('schedule with its liaison meeting, agenda proposed and approved from a card, reminders, minutes to member units, decisions with progress', async () => {
    await members();
    // An item proposed before any meeting is scheduled waits for the next one, and for a convenor.
    await h.emu.sendText('rsj.liaison', '议题：关于户籍类证明核验时限的统一');
    await h.sys.settle();
    expect(textsTo(h, 'rsj.liaison', since)).to.deep.equal(['已收到你提出的议题，待召集人审定后列入会议。']);
    const ask1 = lastCard(h, 'office.chief', 'ma')!;
    expect(ask1.card.sub_title_text).to.equal('关于户籍类证明核验时限的统一');
    expect(ask1.card.button_list.map((b: any) => b.text)).to.deep.equal(['同意', '不同意']);

    const created = await office.post('/meetings', meeting);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id;
    expect(created.body.units.map((u: any) => u.unit), 'member units only').to.deep.equal(['GAJ', 'RSJ']);
    expect(created.body.liaisonMeeting).to.deep.include({ scheduledAt: t('2026-12-09', '09:30'), status: 'scheduled' });
    expect(created.body.agenda.map((a: any) => [a.unit, a.text, a.via, a.status])).to.deep.equal([['RSJ', '关于户籍类证明核验时限的统一', 'chat', 'proposed']]);

    await h.emu.clickButton('office.chief', ask1.taskId, `meeting_agenda:${created.body.agenda[0].id}.yes`);
    await h.sys.settle();
    expect(h.emu.cardState('office.chief', ask1.taskId)!.replace_name).to.equal('已同意');
    expect(textsTo(h, 'rsj.liaison', since).at(-1)).to.equal('你提出的议题「关于户籍类证明核验时限的统一」已经召集人同意列入会议。');
    const late = lastCard(h, 'office.duty', `ma${created.body.agenda[0].id}_`)!;
    await h.emu.clickButton('office.duty', late.taskId, `meeting_agenda:${created.body.agenda[0].id}.no`);
    await h.sys.settle();
    expect(h.emu.cardState('office.duty', late.taskId)!.replace_name, 'the first click decided').to.equal('已由办公室主任已同意');

    await h.emu.sendText('gaj.a', '提议议题：历史档案核验的人员配备');
    await h.emu.sendText('gaj.b', '议题：');
    await h.emu.sendText('office.duty', '议题：通报上半年核验情况');
    await h.sys.settle();
    expect(textsTo(h, 'gaj.a', since)).to.deep.equal(['已收到你提出的议题，待召集人审定后列入会议「2026年下半年联席会议例会」（2026-12-10 09:30）。']);
    expect(textsTo(h, 'gaj.b', since)).to.deep.equal(['请在「议题：」后写明议题内容。']);
    let got = await office.get(`/meetings/${id}`);
    expect(got.body.agenda.map((a: any) => [a.text, a.status, a.decidedBy])).to.deep.equal([
      ['关于户籍类证明核验时限的统一', 'approved', 'office.chief'],
      ['历史档案核验的人员配备', 'proposed', null],
      ['通报上半年核验情况', 'approved', 'office.duty'],
    ]);
    const ask2 = lastCard(h, 'office.chief', `ma${got.body.agenda[1].id}_`)!;
    await h.emu.clickButton('office.chief', ask2.taskId, `meeting_agenda:${got.body.agenda[1].id}.no`);
    await h.sys.settle();
    expect((await office.get(`/meetings/${id}`)).body.agenda[1].status).to.equal('declined');

    // A week before each: the liaison meeting first, then the joint meeting; member units only, once.
    expect((await sweep(h, t('2026-12-02', '09:29'))).filter((l) => l.job === 'meeting-reminders')).to.deep.equal([]);
    const liaisonRem = await sweep(h, t('2026-12-02', '09:30'));
    expect(liaisonRem.filter((l) => l.job === 'meeting-reminders')).to.deep.equal([{ job: 'meeting-reminders', action: 'meeting_reminder', meetingId: created.body.liaisonMeeting.id, to: ['gaj.liaison', 'rsj.liaison'] }]);
    const rem = await sweep(h, t('2026-12-03', '09:30'));
    expect(rem.filter((l) => l.job === 'meeting-reminders')).to.deep.equal([{ job: 'meeting-reminders', action: 'meeting_reminder', meetingId: id, to: ['gaj.liaison', 'rsj.liaison'] }]);
    await sweep(h, t('2026-12-04', '10:00'));
    const reminders = meetingCards('gaj.liaison', '会议提醒');
    expect(reminders).to.have.length(2);
    expect(reminders[1].payload.horizontal_content_list).to.deep.include({ keyname: '已收议题', value: '2' });
    expect(meetingCards('scj.liaison', '会议提醒'), 'not a member unit').to.have.length(0);

    // Minutes only after the meeting: refused, and nothing changes.
    const before = JSON.stringify((await office.get(`/meetings/${id}`)).body);
    const early = await office.post(`/meetings/${id}/minutes`, { text: '纪要', decisions: [{ text: '配备A/B角', unit: 'GAJ', dueDate: '2026-12-31' }] });
    expect([early.status, early.body.error.code]).to.deep.equal([409, 'meeting_not_held']);
    expect(early.body.error.message).to.include('has not taken place yet');
    expect(JSON.stringify((await office.get(`/meetings/${id}`)).body)).to.equal(before);
    expect(meetingCards('gaj.liaison', '会议纪要')).to.have.length(0);

    h.clock.set(t('2026-12-10', '15:00'));
    const minutes = '一、会议通报了2026年下半年部门核验工作情况。\n二、会议议定：各成员单位于12月31日前完成A/B角配备。';
    const sent = await office.post(`/meetings/${id}/minutes`, {
      text: minutes,
      decisions: [
        { text: '公安局完成历史档案数字化', unit: 'GAJ', dueDate: '2026-12-31' },
        { text: '人社局统一社保证明核验口径', unit: 'RSJ', dueDate: '2027-01-15' },
      ],
      noConsensus: [{ text: '是否将不动产登记证明纳入免提交清单' }],
    });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    expect(sent.body).to.deep.include({ status: 'minuted', unreachable: [], awaitingAcknowledgement: ['GAJ', 'RSJ'] });
    expect(sent.body.decisions.map((d: any) => [d.unit, d.dueDate, d.consensus, !!d.countySubmittedAt])).to.deep.equal([
      ['GAJ', '2026-12-31', true, false],
      ['RSJ', '2027-01-15', true, false],
      [null, null, false, true],
    ]);
    await h.sys.settle();
    for (const u of ['gaj.liaison', 'rsj.liaison']) {
      expect(lastCard(h, u, `mt${id}_`), `minutes card of ${u}`).to.exist;
      expect(textsTo(h, u, since).join('\n')).to.include('各成员单位于12月31日前完成A/B角配备');
    }
    expect(lastCard(h, 'scj.liaison', `mt${id}_`), 'not a member unit').to.equal(undefined);

    // GAJ reports from its progress card and the chat.
    const [dGaj, dRsj, dCounty] = sent.body.decisions;
    const pc = lastCard(h, 'gaj.liaison', `md${dGaj.id}_`)!;
    expect(pc.card.horizontal_content_list).to.deep.equal([{ keyname: '完成时限', value: '2026-12-31' }]);
    await h.emu.clickButton('gaj.liaison', pc.taskId, `meeting_progress:${dGaj.id}`);
    await h.emu.sendText('gaj.liaison', '已完成80%，月底前完成。');
    await h.sys.settle();
    expect(textsTo(h, 'gaj.liaison', since).at(-1)).to.equal('已收到落实进展，已转联席会议办公室。');
    // RSJ is reminded once a week until it reports.
    const progressLines = async (at: string) => (await sweep(h, at)).filter((l) => l.job === 'meeting-progress');
    expect(await progressLines(t('2026-12-17', '14:59'))).to.deep.equal([]);
    expect(await progressLines(t('2026-12-17', '15:00'))).to.deep.equal([{ job: 'meeting-progress', action: 'meeting_progress_reminder', decisionId: dRsj.id, unit: 'RSJ', to: ['rsj.liaison'] }]);
    expect(await progressLines(t('2026-12-18', '10:00'))).to.deep.equal([]);
    expect(textsTo(h, 'rsj.liaison', since).filter((x) => x.startsWith('【联席会议】请报送'))).to.have.length(1);
    expect(await progressLines(t('2026-12-24', '15:00'))).to.have.length(1);
    expect((await gaj.post(`/meetings/decisions/${dRsj.id}/progress`, { text: '代报' })).status, 'not its decision').to.equal(403);
    expect((await rsj.post(`/meetings/decisions/${dRsj.id}/progress`, { text: '口径已统一并印发。' })).status).to.equal(200);
    expect(await progressLines(t('2026-12-31', '15:00'))).to.deep.equal([]);
    // The county government's answer on the item without consensus.
    expect((await office.post(`/meetings/decisions/${dGaj.id}/county-outcome`, { text: 'x' })).status, 'agreed items are not submitted').to.equal(409);
    const county = await office.post(`/meetings/decisions/${dCounty.id}/county-outcome`, { text: '县政府同意纳入，由县自然资源局牵头。' });
    expect(county.body).to.deep.include({ consensus: false, countyOutcome: '县政府同意纳入，由县自然资源局牵头。' });
    got = await office.get(`/meetings/${id}`);
    expect(got.body.decisions.map((d: any) => [d.unit, d.progress, d.progressBy])).to.deep.equal([
      ['GAJ', '已完成80%，月底前完成。', 'gaj.liaison'],
      ['RSJ', '口径已统一并印发。', 'api:rsj-system'],
      [null, null, null],
    ]);

    // The unit acknowledges the minutes by clicking; the card shows it.
    const card = lastCard(h, 'gaj.liaison', `mt${id}_`)!;
    await h.emu.clickButton('gaj.liaison', card.taskId, `meeting_ack:${id}`);
    await h.sys.settle();
    expect(h.emu.cardState('gaj.liaison', card.taskId)!.replace_name).to.equal('已确认收到');
    expect((await rsj.post(`/meetings/${id}/units/RSJ/acknowledge`, {})).status).to.equal(200);
    expect((await office.get(`/meetings/${id}`)).body.awaitingAcknowledgement).to.deep.equal([]);
  });

  it('refuses an agenda item from a non-member, by chat or key, and changes nothing', async () => {
    await members();
    const created = await office.post('/meetings', meeting);
    const count = () => h.sys.dataSource.getRepository(JointMeetingAgendaItem).count();
    const before = await count();
    await h.emu.sendText('scj.liaison', '议题：市场主体登记证明');
    await h.sys.settle();
    expect(textsTo(h, 'scj.liaison', since)).to.deep.equal(['你所在单位不是联席会议成员单位，不能提出议题。']);
    const scj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'scj-system', 'SCJ', h.clock.now));
    const byKey = await scj.post(`/meetings/${created.body.id}/agenda`, { text: '市场主体登记证明' });
    expect([byKey.status, byKey.body.error.code]).to.deep.equal([403, 'meeting_not_member']);
    expect(byKey.body.error.message).to.include('SCJ is not a member unit');
    const notConvenor = await office.post(`/meetings/${created.body.id}/agenda`, { text: 'x', convenor: 'gaj.a' });
    expect([notConvenor.status, notConvenor.body.error.code]).to.deep.equal([403, 'meeting_not_convenor']);
    expect(await count()).to.equal(before);
    expect(h.emu.delivered({ touser: 'office.chief', msgtype: 'template_card' }).filter((d) => d.seq > since && /^ma\d/.test(String(d.payload.task_id)))).to.have.length(0);
    // A convenor adds an item directly, through the office.
    const direct = await office.post(`/meetings/${created.body.id}/agenda`, { text: '审议免提交清单', convenor: 'office.chief' });
    expect(direct.body).to.deep.include({ status: 'approved' });
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
