import { expect } from 'chai';
import { holderCard } from './holder';
import { AccountabilityCase, AccountabilityEvent, DeadlineTracker, OfficeOrder, VerificationRecipient, VerificationRequest } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { idNumber } from '../helpers/mothers/verification';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { lastCard, mark, textsTo } from '../helpers/inbox';
import { claimsOf, createRequest, escalationsOf, sweep, useOfficeChat } from '../helpers/scheduler';

describe('scheduler: a request driven through every deadline stage (SPEC 1 Art. 7, 10, 11)', () => {
  let h: Harness;
  let rsj: Api;
  let office: Api;
  let since = 0;
  const units = SchedulerMother.units();

  const env = directoryHarness(units);
  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    await useOfficeChat(h);
    since = mark(h);
  });

  const t = (hhmm: string, day = '2026-11-26') => `${day}T${hhmm}:00+08:00`;
  const order2h = [{ questionKey: 'complete_by', optionIds: ['2h'] }];

  it('digital: reminder and backup at 50%, warning at 90%, escalation at the deadline, office actions, level 2 after the ordered time', async () => {
    const { id, number } = await createRequest(rsj);
    await h.sys.settle();

    // Tracked at the next sweep; nothing is due yet.
    const first = await sweep(h, t('09:01'));
    expect(first.find((l) => l.job === 'deadlines-discover')).to.deep.include({ action: 'tracking', requests: 1, seen: 1 });
    await sweep(h, t('09:14'));
    expect(textsTo(h, 'gaj.liaison', since)).to.deep.equal([]);

    // 50%: reminder to the liaison and deputy A; deputy B gets the same card (nobody acted).
    const half = await sweep(h, t('09:15'));
    expect(half.filter((l) => l.job === 'deadlines-stages').map((l) => [l.stage, l.action])).to.deep.equal([
      ['reminder', 'sent'],
      ['backup', 'sent'],
    ]);
    for (const u of ['gaj.liaison', 'gaj.a']) expect(textsTo(h, u, since)).to.include(`【协查提醒】县人社局「失业保险金申领」截止 2026-11-26 09:30：已过答复时限的一半，仍未受理。请在卡片上受理并按时答复。协查 ${number}`);
    const bCard = lastCard(h, 'gaj.b', `vr${id}_`);
    expect(bCard, 'deputy B got the 受理/退回 card').to.exist;
    expect(bCard!.card.button_list.map((b: any) => b.text)).to.deep.equal(['受理', '退回']);
    expect(textsTo(h, 'gaj.b', since).join('\n')).to.include('【B角补位】');
    const bRow = await h.sys.dataSource.getRepository(VerificationRecipient).findOneByOrFail({ requestId: id, userid: 'gaj.b' });
    expect(bRow).to.deep.include({ reason: 'backup', ab: 'B', taskId: bCard!.taskId });

    // The same instant again sends nothing.
    const again = await sweep(h, t('09:15'));
    expect(again.filter((l) => l.job === 'deadlines-stages')).to.deep.equal([]);

    // 90%: everyone on the request.
    await sweep(h, t('09:27'));
    for (const u of ['gaj.liaison', 'gaj.a', 'gaj.b']) expect(textsTo(h, u, since).filter((x) => x.startsWith('【即将超时】'))).to.have.length(1);

    // The deadline: office members get the action card, the group a report, both units are told.
    const esc = await sweep(h, t('09:30'));
    expect(esc.find((l) => l.stage === 'escalation1')).to.deep.include({ action: 'sent' });
    expect(esc.find((l) => l.job === 'deadlines-announce')).to.deep.include({ action: 'announced', channel: 'appchat' });
    const [e1] = await escalationsOf(h, id);
    expect(e1).to.deep.include({ level: 1, groupState: 'sent', groupChannel: 'appchat', number, issuerUnit: 'GAJ', requesterUnit: 'RSJ', owner: null, lateMinutes: 0 });
    const group = h.emu.appchatMessages(SchedulerMother.officeChatId).filter((m) => String(m.payload.content).includes('协查超时报告'));
    expect(group).to.have.length(1);
    const report = group[0].payload.content as string;
    expect(report).to.include(number).and.include('县公安局').and.include('县人社局').and.include('电子数据').and.include('未受理').and.include('超时');
    expect(report, 'no personal data in the group').not.to.include('张').and.not.include(idNumber().slice(-4));
    const duty = lastCard(h, 'office.duty', `esc${e1.id}_`)!;
    expect(duty.card.button_list.map((b: any) => b.text)).to.deep.equal(['督办', '责成限时办结', '约谈']);
    expect(duty.card.button_selection.option_list.map((o: any) => o.text)).to.deep.equal(['2小时内', '今天下班前', '下一工作日下班前', '3个工作日内']);
    expect(JSON.stringify(duty.card)).not.to.include('张小三');
    expect(lastCard(h, 'office.chief', `esc${e1.id}_`)).to.exist;
    // The liaison's card itself says so (issue 18: one card per holder, no text per stage).
    expect(holderCard(h, 'gaj.liaison', id)!.card.main_title.desc).to.equal(`已超时，已报告联席会议办公室｜协查 ${number}`);
    expect(textsTo(h, 'rsj.liaison', since).join('\n')).to.include('系统已代你单位报告联席会议办公室');
    const [c1] = await h.sys.dataSource.getRepository(AccountabilityCase).findBy({ requestId: id });
    expect(c1).to.deep.include({ ground: 'verification_overdue', unitCode: 'GAJ', personUserid: 'gaj.liaison', personRole: 'liaison', status: 'open', sourceKey: `verif:${id}:deadline` });
    expect(JSON.parse(c1.facts)).to.deep.include({ number, category: 'digital', dueAt: '2026-11-26 09:30' });

    // 督办: owner (none yet) and the liaison are pinged; the card shows what was done.
    h.clock.set(t('09:32'));
    await h.emu.clickButton('office.duty', duty.taskId, `office_urge:${e1.id}`);
    await h.sys.settle();
    expect(holderCard(h, 'gaj.liaison', id)!.card.main_title.desc).to.equal(`联席会议办公室督办｜协查 ${number}`);
    expect(h.emu.cardState('office.duty', duty.taskId)!.card.sub_title_text).to.include('督办（办公室值班 09:32）');
    expect(h.emu.appchatMessages(SchedulerMother.officeChatId).map((m) => m.payload.content).join('\n')).to.include(`办公室值班 已督办协查 ${number}`);

    // 责成限时办结 with "2小时内": a new deadline with its own reminders.
    h.clock.set(t('09:33'));
    const chief = lastCard(h, 'office.chief', `esc${e1.id}_`)!;
    await h.emu.clickButton('office.chief', chief.taskId, `office_order:${e1.id}`, { selectedItems: order2h });
    await h.sys.settle();
    const order = await h.sys.dataSource.getRepository(OfficeOrder).findOneByOrFail({ requestId: id, kind: 'order' });
    expect(order.completeBy!.toISOString()).to.equal(new Date(t('11:33')).toISOString());
    expect(order.preset).to.equal('2h');
    expect(holderCard(h, 'gaj.liaison', id)!.card.sub_title_text).to.include('责成11-26 11:33前办结');
    expect(textsTo(h, 'rsj.liaison', since).join('\n')).to.include('已责成县公安局于 2026-11-26 11:33 前办结');
    const tracker = await h.sys.dataSource.getRepository(DeadlineTracker).findOneByOrFail({ requestId: id });
    expect(tracker.orderId).to.equal(order.id);
    expect(tracker.nextStageAt!.toISOString()).to.equal(new Date(t('10:33')).toISOString());

    await sweep(h, t('10:33'));
    expect(holderCard(h, 'gaj.liaison', id)!.card.main_title.desc).to.equal(`限时办结提醒：时间已过半｜协查 ${number}`);
    await sweep(h, t('11:21'));
    expect(holderCard(h, 'gaj.liaison', id)!.card.main_title.desc).to.equal(`限时办结即将到期｜协查 ${number}`);

    // The ordered time passes: escalation level 2, and a second case (the order was missed too).
    await sweep(h, t('11:33'));
    const escs = await escalationsOf(h, id);
    expect(escs.map((e) => [e.level, e.stage])).to.deep.equal([
      [1, 'escalation1'],
      [2, `order${order.id}:escalation2`],
    ]);
    expect(holderCard(h, 'gaj.liaison', id)!.card.main_title.desc).to.equal(`未在责成时限内办结，已再次报告｜协查 ${number}`);
    const level2 = lastCard(h, 'office.duty', `esc${escs[1].id}_`)!;
    expect(level2.card.main_title.title).to.include('二次超时');

    // 约谈 is recorded on the request's cases.
    await h.emu.clickButton('office.duty', level2.taskId, `office_summons:${escs[1].id}`);
    await h.sys.settle();
    await h.emu.sendText('office.duty', '需求单位群众多次往返');
    await h.sys.settle();
    const cases = await h.sys.dataSource.getRepository(AccountabilityCase).find({ where: { requestId: id }, order: { id: 'ASC' } });
    expect(cases.map((c) => c.ground)).to.deep.equal(['verification_overdue', 'order_overdue']);
    const caseEvents = await h.sys.dataSource.getRepository(AccountabilityEvent).findBy({ caseId: cases[0].id });
    expect(caseEvents.map((e) => e.type)).to.include('summons_requested');

    // Every text about the request, at every stage, leads with the other unit and the item (a lock screen shows 40 characters).
    const about = (userid: string) => textsTo(h, userid, since).filter((x) => x.includes(number));
    const lead = { 'gaj.liaison': '县人社局「失业保险金申领」', 'gaj.b': '县人社局「失业保险金申领」', 'rsj.liaison': '县公安局「失业保险金申领」' } as Record<string, string>;
    for (const [userid, unitItem] of Object.entries(lead)) {
      const texts = about(userid);
      expect(texts.length, userid).to.be.greaterThan(userid === 'rsj.liaison' ? 2 : 1);
      for (const x of texts) expect(x.slice(0, 40), `${userid}: ${x}`).to.include(unitItem);
    }
    // The holders' cards lead with unit and item too (the stages are on them now).
    for (const u of ['gaj.liaison', 'gaj.a', 'gaj.b']) expect([...holderCard(h, u, id)!.card.main_title.title].slice(0, 40).join(''), u).to.include('县人社局·失业保险金申领');
    expect(about('gaj.liaison').some((x) => x.startsWith('【约谈】')), 'the unit is told of the summons').to.equal(true);

    // The API shows it all, and each stage fired exactly once.
    const list = await office.get('/escalations');
    expect(list.status).to.equal(200);
    expect(list.body.escalations.map((e: any) => [e.level, e.groupDelivery, e.requestStatus])).to.deep.equal([
      [2, 'appchat', 'pending'],
      [1, 'appchat', 'pending'],
    ]);
    expect(list.body.escalations[1].orders.map((o: any) => o.kind)).to.deep.equal(['urge', 'order']);
    expect(list.body.escalations[0].orders.map((o: any) => o.kind)).to.deep.equal(['summons']);
    const trail = await office.get(`/deadlines/${id}`);
    expect(trail.body.stages.map((s: any) => [s.stage, s.outcome])).to.deep.equal([
      ['reminder', 'sent'],
      ['backup', 'sent'],
      ['warning', 'sent'],
      ['escalation1', 'sent'],
      [`order${order.id}:reminder`, 'sent'],
      [`order${order.id}:warning`, 'sent'],
      [`order${order.id}:escalation2`, 'sent'],
    ]);
    const events = (await rsj.get(`/verifications/${id}`)).body.events.map((e: any) => e.type);
    expect(events).to.include.members(['reminder_sent', 'backup_pinged', 'warning_sent', 'escalated', 'urged', 'ordered_completion', 'order_reminder_sent', 'order_warning_sent', 'summons_requested']);
    expect(textsTo(h, 'gaj.liaison', since).filter((x) => x.startsWith('【协查提醒】'))).to.have.length(1);
  });

  it('deputy B takes the request from the backup card; the request answered in time is never escalated', async () => {
    const { id, number } = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    await sweep(h, t('09:15'));
    const bCard = lastCard(h, 'gaj.b', `vr${id}_`)!;
    h.clock.set(t('09:16'));
    await h.emu.clickButton('gaj.b', bCard.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    expect((await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id })).assignee).to.equal('gaj.b');
    expect(h.emu.cardState('gaj.liaison', lastCard(h, 'gaj.liaison', `vr${id}_`)!.taskId)!.replace_name).to.equal('已由公安代办B受理');

    await sweep(h, t('09:27'));
    expect(textsTo(h, 'gaj.b', since).join('\n')).to.include(`【即将超时】县人社局「失业保险金申领」截止 2026-11-26 09:30：仍未答复，超时将报告联席会议办公室。协查 ${number}`);
    h.clock.set(t('09:28'));
    await h.emu.sendText('gaj.b', '核验一致');
    await h.sys.settle();
    await h.emu.sendText('gaj.b', '确认');
    await h.sys.settle();
    const lines = await sweep(h, t('09:30'));
    expect(lines.filter((l) => l.job === 'deadlines-stages' && l.stage)).to.deep.equal([]);
    expect(await escalationsOf(h, id)).to.deep.equal([]);
    expect(await h.sys.dataSource.getRepository(AccountabilityCase).count()).to.equal(0);
    expect((await h.sys.dataSource.getRepository(DeadlineTracker).findOneByOrFail({ requestId: id })).state).to.equal('done');
  });

  it('deputy A away at creation: B already holds the card, so the 50% backup is skipped, not repeated', async () => {
    await h.sys.dataSource.getRepository('Staff').update({ userid: 'gaj.a' }, { away: true });
    const { id } = await createRequest(rsj);
    await h.sys.settle();
    expect(lastCard(h, 'gaj.b', `vr${id}_`), 'routed to B at once by the verification module').to.exist;
    await sweep(h, t('09:01'));
    await sweep(h, t('09:15'));
    expect(await claimsOf(h, id)).to.deep.equal([
      { stage: 'reminder', outcome: 'sent', note: null },
      { stage: 'backup', outcome: 'skipped', note: 'deputy_b_already_has_card' },
    ]);
    expect(h.emu.delivered({ touser: 'gaj.b', msgtype: 'template_card' }).filter((d) => String(d.payload.task_id).startsWith(`vr${id}_`))).to.have.length(1);
  });

  it('paper: stages fall in office hours; the deadline at 17:30 Friday escalates at 08:30 Monday', async () => {
    h.clock.set(t('16:00'));
    const { id, dueAt } = await createRequest(rsj, { category: 'paper' });
    expect(dueAt).to.equal('2026-11-27T17:30:00+08:00');
    await h.sys.settle();
    await sweep(h, t('16:01'));
    expect((await h.sys.dataSource.getRepository(DeadlineTracker).findOneByOrFail({ requestId: id })).nextStageAt!.toISOString()).to.equal(new Date(t('11:30', '2026-11-27')).toISOString());
    await sweep(h, t('11:30', '2026-11-27'));
    await sweep(h, t('16:36', '2026-11-27'));
    expect((await claimsOf(h, id)).map((c) => c.stage)).to.deep.equal(['reminder', 'backup', 'warning']);
    for (const at of [t('17:30', '2026-11-27'), t('20:00', '2026-11-27'), t('10:00', '2026-11-28')]) {
      const lines = await sweep(h, at);
      expect(lines.filter((l) => l.stage), `nothing at ${at}`).to.deep.equal([]);
    }
    expect(await escalationsOf(h, id)).to.deep.equal([]);
    await sweep(h, t('08:30', '2026-11-30'));
    const [e] = await escalationsOf(h, id);
    expect(e).to.deep.include({ level: 1, lateMinutes: 0 });
    expect(e.escalatedAt.toISOString()).to.equal(new Date(t('08:30', '2026-11-30')).toISOString());
  });

  it('a reminder that fell while the server was down waits for office hours (due Friday 14:00, swept Friday 19:00, sent Monday 08:30)', async () => {
    const { id, number, dueAt } = await createRequest(rsj, { category: 'historical' });
    expect(dueAt).to.equal('2026-11-30T17:30:00+08:00');
    await h.sys.settle();
    await sweep(h, t('09:01'));
    const tr = await h.sys.dataSource.getRepository(DeadlineTracker).findOneByOrFail({ requestId: id });
    expect(tr.nextStageAt!.toISOString()).to.equal(new Date(t('14:00', '2026-11-27')).toISOString());
    const night = await sweep(h, t('19:00', '2026-11-27'));
    expect(night.filter((l) => l.job === 'deadlines-stages').map((l) => [l.stage, l.action])).to.deep.equal([
      ['reminder', 'waiting_for_office_hours'],
      ['backup', 'waiting_for_office_hours'],
    ]);
    expect(textsTo(h, 'gaj.liaison', since)).to.deep.equal([]);
    expect((await h.sys.dataSource.getRepository(DeadlineTracker).findOneByOrFail({ requestId: id })).nextStageAt!.toISOString()).to.equal(new Date(t('08:30', '2026-11-30')).toISOString());
    await sweep(h, t('10:00', '2026-11-28'));
    expect(textsTo(h, 'gaj.liaison', since)).to.deep.equal([]);
    await sweep(h, t('08:30', '2026-11-30'));
    expect(textsTo(h, 'gaj.liaison', since).join('\n')).to.match(new RegExp(`^【协查提醒】县人社局「失业保险金申领」截止 .+协查 ${number}$`, 'm'));
    expect(lastCard(h, 'gaj.b', `vr${id}_`)).to.exist;
  });

  it('order "今天下班前" after office hours is refused on the card; nothing changes', async () => {
    const { id } = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    await sweep(h, t('09:30'));
    const [e] = await escalationsOf(h, id);
    const card = lastCard(h, 'office.duty', `esc${e.id}_`)!;
    h.clock.set(t('18:00'));
    const before = await h.sys.dataSource.getRepository(OfficeOrder).count();
    const m0 = mark(h);
    await h.emu.clickButton('office.duty', card.taskId, `office_order:${e.id}`, { selectedItems: [{ questionKey: 'complete_by', optionIds: ['today'] }] });
    await h.sys.settle();
    expect(await h.sys.dataSource.getRepository(OfficeOrder).count()).to.equal(before);
    expect(textsTo(h, 'office.duty', m0)).to.deep.equal(['所选时限「今天下班前」已过，请选择其他时限后再点击「责成限时办结」。']);
    expect(textsTo(h, 'gaj.liaison', m0)).to.deep.equal([]);
    expect((await h.sys.dataSource.getRepository(DeadlineTracker).findOneByOrFail({ requestId: id })).orderId).to.equal(null);
  });
});
