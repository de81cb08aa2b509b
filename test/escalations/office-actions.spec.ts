import { expect } from 'chai';
import { DeadlineTracker, OfficeOrder, OutboxMessage, Staff, VerificationEvent } from '../../entities';
import { startHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { sharedTestUrl } from '../helpers/db';
import { run as cli } from '../../src/cli';
import { DirectoryMother } from '../helpers/mothers/directory';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { lastCard, mark, textsTo } from '../helpers/inbox';
import { createRequest, escalatedRequest, escalationsOf, noOfficeGroup, sweep, useOfficeChat } from '../helpers/scheduler';
import { seedDirectory } from '../helpers/seed';

describe('scheduler: office actions, refusals, and the office group (SPEC 1 Art. 10, 11)', () => {
  let h: Harness;
  let rsj: Api;
  let office: Api;
  let since = 0;
  const units = SchedulerMother.units();
  const DAYS = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11'];
  let n = 0;
  let day = DAYS[0];
  const t = (hhmm: string, d = day) => `${d}T${hhmm}:00+08:00`;

  before(async () => {
    h = await startHarness({ members: DirectoryMother.members(units), officeRobot: true });
  });
  after(async () => h.close());
  beforeEach(async () => {
    await h.reset();
    day = DAYS[n++ % DAYS.length];
    h.clock.set(t('09:00'));
    await seedDirectory(h.sys.dataSource, units);
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    await useOfficeChat(h);
    since = mark(h);
  });

  const escalated = () => escalatedRequest(h, rsj, (x) => t(x));

  async function state() {
    const ds = h.sys.dataSource;
    return {
      orders: await ds.getRepository(OfficeOrder).count(),
      outbox: await ds.getRepository(OutboxMessage).count(),
      events: await ds.getRepository(VerificationEvent).count(),
      trackers: JSON.stringify(await ds.getRepository(DeadlineTracker).find({ order: { id: 'ASC' } })),
    };
  }

  it('a click by someone who is no longer in the office is refused: a reply to them, nothing else', async () => {
    const { esc } = await escalated();
    const card = lastCard(h, 'office.chief', `esc${esc.id}_`)!;
    // The chief moved to another unit after the card went out.
    await h.sys.dataSource.getRepository(Staff).update({ userid: 'office.chief' }, { unitCode: 'SCJ' });
    const before = await state();
    const m0 = mark(h);
    h.clock.set(t('09:40'));
    await h.emu.clickButton('office.chief', card.taskId, `office_order:${esc.id}`);
    await h.sys.settle();
    expect(textsTo(h, 'office.chief', m0)).to.deep.equal(['只有联席会议办公室成员可以办理督办事项。']);
    expect(textsTo(h, 'gaj.liaison', m0)).to.deep.equal([]);
    const after = await state();
    expect(after.orders).to.equal(before.orders);
    expect(after.events).to.equal(before.events);
    expect(after.trackers).to.equal(before.trackers);
    expect(after.outbox, 'only the reply').to.equal(before.outbox + 1);
  });

  it('the API: a unit key is refused; a new deadline in the past is refused; a valid order is planned', async () => {
    const { id, esc } = await escalated();
    h.clock.set(t('10:00'));
    const before = await state();
    const asUnit = await rsj.post(`/escalations/${esc.id}/urge`, {});
    expect(asUnit.status).to.equal(403);
    expect(asUnit.body.error.code).to.equal('forbidden');
    const past = await office.post(`/escalations/${esc.id}/order`, { completeBy: t('09:59') });
    expect(past.status).to.equal(422);
    expect(past.body.error.code).to.equal('order_deadline_past');
    const bad = await office.post(`/escalations/${esc.id}/order`, { completeBy: 'tomorrow' });
    expect(bad.status).to.equal(422);
    expect(bad.body.error.code).to.equal('validation_failed');
    const both = await office.post(`/escalations/${esc.id}/order`, { preset: '2h', completeBy: t('16:00') });
    expect(both.status).to.equal(422);
    const missing = await office.post('/escalations/999999/urge', {});
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('escalation_not_found');
    await h.sys.settle();
    expect(await state()).to.deep.equal(before);

    const ok = await office.post(`/escalations/${esc.id}/order`, { completeBy: t('16:00'), note: '请今天办结' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(ok.body.action).to.deep.include({ kind: 'order', actor: 'api:office-console', completeBy: t('16:00'), preset: 'custom', note: '请今天办结' });
    const tracker = await h.sys.dataSource.getRepository(DeadlineTracker).findOneByOrFail({ requestId: id });
    // 50% of 10:00-16:00 in office time (120 + 150 minutes) is 135 minutes in: 13:45.
    expect(tracker.nextStageAt!.toISOString()).to.equal(new Date(t('13:45')).toISOString());
  });

  it('an answered request cannot be urged any more', async () => {
    const { id, esc } = await escalated();
    const card = lastCard(h, 'gaj.a', `vr${id}_`)!;
    h.clock.set(t('09:35'));
    await h.emu.clickButton('gaj.a', card.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    await h.emu.sendText('gaj.a', '核验一致');
    await h.sys.settle();
    await h.emu.sendText('gaj.a', '确认');
    await h.sys.settle();
    const res = await office.post(`/escalations/${esc.id}/urge`, {});
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('escalation_closed');
    const listed = await office.get(`/escalations/${esc.id}`);
    expect(listed.body).to.deep.include({ requestStatus: 'answered', resolvedAt: t('09:35') });
    // A late click on the card greys it.
    const duty = lastCard(h, 'office.duty', `esc${esc.id}_`)!;
    await h.emu.clickButton('office.duty', duty.taskId, `office_urge:${esc.id}`);
    await h.sys.settle();
    expect(h.emu.cardState('office.duty', duty.taskId)!.replace_name).to.equal('已办结');
  });

  it('no office group configured: escalations are recorded and listed, nothing is sent to a group', async () => {
    noOfficeGroup(h);
    const chatBefore = h.emu.appchatMessages().length;
    const robotBefore = h.emu.robotMessages().length;
    const { id, number } = await escalated();
    const [esc] = await escalationsOf(h, id);
    expect(esc.groupState).to.equal('none');
    const list = await office.get('/escalations?open=true');
    expect(list.status).to.equal(200);
    expect(list.body.escalations).to.have.length(1);
    expect(list.body.escalations[0]).to.deep.include({ number, level: 1, groupDelivery: 'none', requestStatus: 'pending', issuerUnit: 'GAJ' });
    expect(h.emu.appchatMessages().length).to.equal(chatBefore);
    expect(h.emu.robotMessages().length).to.equal(robotBefore);
    expect(lastCard(h, 'office.duty', `esc${esc.id}_`), 'office members still get their card').to.exist;
    const trail = await rsj.get(`/deadlines/${id}`);
    expect(trail.body.stages.find((s: any) => s.stage === 'escalation1')).to.deep.include({ outcome: 'sent', note: 'group_not_configured' });
  });

  it('the robot webhook when no app chat: one markdown per batch of escalations, the robot named, never its key in the outbox', async () => {
    noOfficeGroup(h);
    (h.sys.config as { officeRobotWebhook: string | null }).officeRobotWebhook = `${h.sys.config.wecom!.apiBase}/cgi-bin/webhook/send?key=robotkey1`;
    const before = h.emu.robotMessages('robotkey1').length;
    for (let i = 0; i < 3; i++) await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    const lines = await sweep(h, t('09:30'));
    expect(lines.filter((l) => l.job === 'deadlines-announce')).to.have.length(1);
    const robot = h.emu.robotMessages('robotkey1').slice(before).filter((m) => String(m.payload.content).includes('协查超时报告'));
    expect(robot).to.have.length(1);
    expect(robot[0].msgtype).to.equal('markdown');
    expect(robot[0].payload.content).to.include('协查超时报告（3件）');
    const rows = await h.sys.dataSource.getRepository(OutboxMessage).findBy({ channel: 'robot' });
    expect(rows.length).to.be.greaterThan(0);
    for (const r of rows) {
      expect(JSON.parse(r.payload).webhook).to.equal('office');
      expect(r.payload).not.to.include('robotkey1');
    }
  });

  it('stage settings: the office reads and changes them; a bad change is refused', async () => {
    const got = await office.get('/deadline-stages');
    expect(got.body.effective.digital).to.deep.equal({ reminderAt: 0.5, backupAt: 0.5, warningAt: 0.9, escalateOutsideOfficeHours: true, orderReminderAt: 0.5, orderWarningAt: 0.9 });
    expect((await rsj.get('/deadline-stages')).status).to.equal(403);
    const bad = await office.put('/deadline-stages', { paper: { warningAt: 0.3 } });
    expect(bad.status).to.equal(422);
    expect((await office.put('/deadline-stages', { paper: { reminderAt: 2 } })).status).to.equal(422);
    expect((await office.put('/deadline-stages', { paper: { nonsense: 1 } })).status).to.equal(422);
    expect((await office.get('/deadline-stages')).body.overrides).to.deep.equal({});
    const ok = await office.put('/deadline-stages', { digital: { reminderAt: null, backupAt: 0.3 } });
    expect(ok.status).to.equal(200);
    expect(ok.body.effective.digital).to.deep.include({ reminderAt: null, backupAt: 0.3, warningAt: 0.9 });
    // The new table applies: no reminder; backup at 30% of 30 minutes.
    const r = await createRequest(rsj);
    await h.sys.settle();
    await sweep(h, t('09:01'));
    const lines = await sweep(h, t('09:09'));
    expect(lines.filter((l) => l.job === 'deadlines-stages').map((l) => l.stage)).to.deep.equal(['backup']);
    expect(textsTo(h, 'gaj.liaison', since).filter((x) => x.includes(r.number) && x.startsWith('【协查提醒】'))).to.deep.equal([]);
  });

  it('`nocert scheduler run --now` sweeps the database and prints JSON lines', async () => {
    const r = await createRequest(rsj);
    const out: string[] = [];
    const err: string[] = [];
    const code = await cli(['scheduler', 'run', '--now', t('09:16')], { DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'silent' }, { out: (s) => out.push(s), err: (s) => err.push(s) });
    expect(code, err.join('\n')).to.equal(0);
    const lines = out.map((l) => JSON.parse(l));
    expect(lines).to.deep.include({ job: 'deadlines-stages', requestId: r.id, number: r.number, stage: 'reminder', action: 'sent', to: ['gaj.liaison', 'gaj.a'] });
    expect(lines.find((l) => l.stage === 'backup')).to.deep.include({ action: 'sent', to: ['gaj.b'] });
    h.clock.set(t('09:16'));
    await h.sys.settle();
    expect(lastCard(h, 'gaj.b', `vr${r.id}_`)).to.exist;
  });
});
