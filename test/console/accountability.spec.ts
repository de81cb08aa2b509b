import { expect } from 'chai';
import { AccountabilityCase, AccountabilityEvent, PersonalDataRead } from '../../entities';
import type { Harness } from '../helpers/system';
import { cardsTo, mark } from '../helpers/inbox';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { ExemptionMother } from '../helpers/mothers/exemptions';
import { AUDITOR, ConsoleClient, consoleHarness } from './console-mother';

describe('console: accountability cases (SPEC 4), every step in the browser forms', () => {
  let h: Harness;
  let escalated: number;
  const env = consoleHarness();
  beforeEach(async () => {
    h = env.h;
    escalated = (await h.sys.dataSource.getRepository('VerificationRequest').find({ order: { id: 'ASC' } }))[0].id as number;
  });

  const repo = () => h.sys.dataSource.getRepository(AccountabilityCase);
  const one = async (id: number) => repo().findOneByOrFail({ id });
  const signedIn = async (userid: string) => {
    const c = new ConsoleClient(h);
    await c.login(userid);
    return c;
  };
  const csrfOf = async (c: ConsoleClient, url = '/console/accountability') => ConsoleClient.csrf(await (await c.get(url)).text());
  /** Opens a case as the office through the form; returns its id. */
  async function open(c: ConsoleClient, form: Record<string, string>): Promise<number> {
    const res = await c.post('/console/accountability', { csrf: await csrfOf(c), ...form });
    expect(res.status).to.equal(302);
    const m = /^\/console\/accountability\/(\d+)\?done=opened$/.exec(res.headers.get('location') ?? '');
    expect(m, res.headers.get('location') ?? '').to.exist;
    return Number(m![1]);
  }

  it('the office opens a case on an Art. 4 ground with evidence, the person gets the card, the list filters, the view is logged', async () => {
    const office = await signedIn('office.duty');
    const since = mark(h);
    const id = await open(office, { ground: 'unauthorised_certificate', unit: 'GAJ', person: 'gaj.a', employment: 'borrowed', requests: String(escalated), text: '窗口要求申请人提供居住证明' });
    const c = await one(id);
    expect([c.ground, c.unitCode, c.personUserid, c.employment, c.status]).to.deep.equal(['unauthorised_certificate', 'GAJ', 'gaj.a', 'borrowed', 'open']);
    expect(JSON.parse(c.facts).evidence).to.deep.equal({ requests: [escalated], text: '窗口要求申请人提供居住证明' });
    const events = await h.sys.dataSource.getRepository(AccountabilityEvent).findBy({ caseId: id });
    expect(events.map((e) => [e.type, e.actor])).to.deep.equal([['opened', 'wecom:office.duty']]);
    // The same notification as the API's: a card to the person concerned, through the outbox.
    await h.sys.settle();
    expect(cardsTo(h, 'gaj.a', since).map((x) => x.taskId)).to.deep.equal([`acc${id}_opened_1`]);

    const detail = await (await office.get(`/console/accountability/${id}?done=opened`)).text();
    expect(detail).to.include('已立案').and.include('公安代办A（gaj.a）').and.include('借用人员').and.include('擅自要求申请人提供证明（第四条第一项）').and.include('窗口要求申请人提供居住证明');
    const reads = await h.sys.dataSource.getRepository(PersonalDataRead).findBy({ subject: 'accountability' });
    expect(reads.map((r) => [r.requestId, r.reader, r.via])).to.deep.equal([[id, 'office.duty', 'console']]);
    // The office's read log names the case (it has no number of its own).
    const api = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-audit', null, h.clock.now));
    const log = await api.get('/personal-data-reads?via=console');
    expect(log.body.items.filter((i: any) => i.subject === 'accountability').map((i: any) => [i.reader, i.accountability])).to.deep.equal([['office.duty', { id, number: null }]]);

    const other = await open(office, { ground: 'falsification', unit: 'RSJ', text: '核验答复与事实不符' });
    const list = async (q: string) => [...(await (await office.get(`/console/accountability${q}`)).text()).matchAll(/href="\/console\/accountability\/(\d+)"/g)].map((m) => Number(m[1]));
    expect(await list('')).to.include.members([id, other]);
    expect(await list('?unit=RSJ')).to.deep.equal([other]);
    expect(await list('?ground=unauthorised_certificate')).to.deep.equal([id]);
    expect(await list('?status=decided')).to.deep.equal([]);
  });

  it('records every step: decision, the unit appeal and its result; the unit exemption application, investigation and approval', async () => {
    const office = await signedIn('office.duty');
    const gaj = await signedIn('gaj.liaison');
    const id = await open(office, { ground: 'verification_late', unit: 'GAJ', person: 'gaj.a', text: '超时未核验' });
    const csrf = await csrfOf(office, `/console/accountability/${id}`);
    await h.sys.settle();
    const since = mark(h);
    // Art. 5: rectify needs its date; refused with the field named, nothing changed.
    let res = await office.post(`/console/accountability/${id}/decision`, { csrf, outcome: 'rectify', body: 'supervising_unit' });
    expect(res.headers.get('location')).to.equal(`/console/accountability/${id}?error=validation_failed&field=rectifyBy`);
    expect((await one(id)).status).to.equal('open');
    expect(await (await office.get(res.headers.get('location')!)).text()).to.include('填写有误：整改期限（YYYY-MM-DD）。未作任何更改。');
    res = await office.post(`/console/accountability/${id}/decision`, { csrf, outcome: 'rectify', body: 'supervising_unit', rectifyBy: '2026-12-20', decidedBy: '县市场监管局党组' });
    expect(res.headers.get('location')).to.equal(`/console/accountability/${id}?done=decision`);
    expect(await one(id)).to.deep.include({ status: 'decided', outcome: 'rectify', decidingBody: 'supervising_unit', rectifyBy: '2026-12-20', decidedBy: '县市场监管局党组' });
    await h.sys.settle();
    expect(cardsTo(h, 'gaj.a', since).map((x) => x.taskId.replace(/_\d+$/, ''))).to.deep.equal([`acc${id}_decided`]);

    // Art. 6: the unit files the appeal (the office cannot, as through the API); the office records the result.
    const gcsrf = await csrfOf(gaj, `/console/accountability/${id}`);
    expect((await office.post(`/console/accountability/${id}/appeal`, { csrf, reason: 'x' })).status).to.equal(403);
    res = await gaj.post(`/console/accountability/${id}/appeal`, { csrf: gcsrf, reason: '当日系统故障，已书面说明' });
    expect(res.headers.get('location')).to.equal(`/console/accountability/${id}?done=appeal`);
    expect(await one(id)).to.deep.include({ appealState: 'pending', appealBy: 'unit:GAJ' });
    res = await office.post(`/console/accountability/${id}/appeal-decision`, { csrf, result: 'revised', outcome: 'written_review', note: '情节较轻' });
    expect(res.headers.get('location')).to.equal(`/console/accountability/${id}?done=appeal-decision`);
    expect(await one(id)).to.deep.include({ appealState: 'revised', outcome: 'written_review', rectifyBy: null });

    // Art. 7-11 on a second case: applied by the unit, investigated, approved and filed.
    const id2 = await open(office, { ground: 'unauthorised_change', unit: 'GAJ', text: '擅自改为线下办理' });
    res = await gaj.post(`/console/accountability/${id2}/exemption-application`, { csrf: gcsrf, ground: 'harm_remedied', explanation: '当日已恢复线上办理' });
    expect(res.headers.get('location')).to.equal(`/console/accountability/${id2}?done=exemption-application`);
    res = await office.post(`/console/accountability/${id2}/exemption-decision`, { csrf, approved: 'yes', approver: '县委' });
    expect(res.headers.get('location'), 'investigation first (Art. 10)').to.equal(`/console/accountability/${id2}?error=accountability_invalid_state`);
    await office.post(`/console/accountability/${id2}/investigation`, { csrf, findings: '经核实，当日已恢复' });
    res = await office.post(`/console/accountability/${id2}/exemption-decision`, { csrf, approved: 'yes', approver: '县委' });
    expect(res.headers.get('location')).to.equal(`/console/accountability/${id2}?done=exemption-decision`);
    expect(await one(id2)).to.deep.include({ status: 'exempted', exemptionState: 'approved', exemptionApprover: '县委', exemptionInvestigation: '经核实，当日已恢复' });
    const page = await (await office.get(`/console/accountability/${id2}`)).text();
    expect(page).to.include('免责批准并备案').and.include('已免责（不影响考核）').and.include('申请容错免责').and.include('unit:GAJ');

    // Art. 10-11 in one step (approved on paper), and Art. 5: hired staff are handled by their own unit.
    const id3 = await open(office, { ground: 'other_serious', unit: 'RSJ', person: 'rsj.a', employment: 'hired', text: '聘用人员' });
    res = await office.post(`/console/accountability/${id3}/decision`, { csrf, outcome: 'written_review', body: 'discipline_inspection' });
    expect(res.headers.get('location')).to.equal(`/console/accountability/${id3}?error=accountability_hired_own_unit`);
    expect(await (await office.get(res.headers.get('location')!)).text()).to.include('聘用人员由所在单位按合同处理');
    expect((await one(id3)).status).to.equal('open');
    await office.post(`/console/accountability/${id3}/exemption`, { csrf, ground: 'other_lawful', note: '依法不予追究', decidedBy: '县人社局党组' });
    expect((await one(id3)).status).to.equal('exempted');
  });

  it('SPEC 2 Art. 9: the office opens a case from a list application filed late, once', async () => {
    const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-lists', 'RSJ', h.clock.now));
    const late = await rsj.post('/exemptions/applications', ExemptionMother.addBody({ causeDate: '2026-11-02' }));
    const onTime = await rsj.post('/exemptions/applications', ExemptionMother.addBody({ causeDate: '2026-11-30', serviceItem: '低保申请' }));
    expect([late.status, late.body.late, onTime.status, onTime.body.late]).to.deep.equal([201, true, 201, false]);
    const office = await signedIn('office.duty');
    const csrf = await csrfOf(office);
    const count = await repo().count();
    const back = async (application: string) => (await (await office.get((await office.post('/console/accountability/from-application', { csrf, application })).headers.get('location')!)).text());
    expect(await back(String(onTime.body.id))).to.include('填写有误：清单调整申请（须为逾期提交的申请）');
    expect(await back('abc')).to.include('填写有误：清单调整申请（须为逾期提交的申请）');
    expect(await back('99999')).to.include('没有找到该清单调整申请');
    expect(await repo().count()).to.equal(count);
    const res = await office.post('/console/accountability/from-application', { csrf, application: String(late.body.id), text: '逾期申请调整清单' });
    const id = Number(/\/console\/accountability\/(\d+)\?done=opened/.exec(res.headers.get('location') ?? '')?.[1]);
    expect(await one(id)).to.deep.include({ ground: 'unauthorised_change', unitCode: 'RSJ', personRole: 'liaison', personUserid: 'rsj.liaison', status: 'open' });
    expect(await back(String(late.body.id)), 'once').to.include('该事项已被他人更新或已立案');
    expect(await repo().count()).to.equal(count + 1);
  });

  it('refusals: another unit case is a 404, a unit cannot record, an auditor reads only, no CSRF token or bad input changes nothing', async () => {
    const office = await signedIn('office.duty');
    const id = await open(office, { ground: 'verification_late', unit: 'GAJ', person: 'gaj.a', text: '超时' });
    const count = await repo().count();
    const before = await one(id);

    const scj = await signedIn('scj.liaison');
    expect((await scj.get(`/console/accountability/${id}`)).status).to.equal(404);
    expect(await (await scj.get('/console/accountability')).text()).not.to.include(`/console/accountability/${id}`);
    const scsrf = await csrfOf(scj);
    expect((await scj.post(`/console/accountability/${id}/exemption-application`, { csrf: scsrf, ground: 'harm_remedied', explanation: 'x' })).status).to.equal(404);
    expect((await scj.post('/console/accountability', { csrf: scsrf, ground: 'falsification', unit: 'SCJ', text: 'x' })).status).to.equal(403);

    const gaj = await signedIn('gaj.liaison');
    const own = await (await gaj.get(`/console/accountability/${id}`)).text();
    expect(own).to.include('公安代办A').and.not.include('/decision"');
    expect((await gaj.post(`/console/accountability/${id}/decision`, { csrf: ConsoleClient.csrf(own), outcome: 'written_review', body: 'own_unit' })).status).to.equal(403);

    const auditor = await signedIn(AUDITOR);
    const seen = await (await auditor.get(`/console/accountability/${id}`)).text();
    expect(seen).to.include('审计人员只读').and.not.include('method="post" action="/console/accountability/');
    for (const [path, form] of [[`/console/accountability/${id}/decision`, { outcome: 'written_review', body: 'own_unit' }], [`/console/accountability/${id}/appeal`, { reason: 'x' }], ['/console/accountability', { ground: 'falsification', unit: 'GAJ', text: 'x' }]] as const) {
      expect((await auditor.post(path, { csrf: ConsoleClient.csrf(seen), ...form })).status, path).to.equal(403);
    }

    expect((await office.post(`/console/accountability/${id}/decision`, { outcome: 'written_review', body: 'own_unit' })).status).to.equal(403);
    expect((await office.post('/console/accountability', { ground: 'falsification', unit: 'GAJ', text: 'x' })).status).to.equal(403);

    // Bad input: a clear error in Chinese, nothing opened.
    const csrf = await csrfOf(office);
    const refused = async (form: Record<string, string>, want: string) => {
      const res = await office.post('/console/accountability', { csrf, ...form });
      const html = await (await office.get(res.headers.get('location')!)).text();
      expect(html, JSON.stringify(form)).to.include(want);
    };
    await refused({ ground: 'falsification', unit: 'GAJ' }, '填写有误：证据（须关联记录或填写说明）');
    await refused({ ground: 'made_up', unit: 'GAJ', text: 'x' }, '填写有误：事由');
    await refused({ ground: 'falsification', unit: 'NOPE', text: 'x' }, '没有这个单位');
    await refused({ ground: 'falsification', unit: 'GAJ', person: 'nobody', text: 'x' }, '责任人员不在通讯录中');
    await refused({ ground: 'falsification', unit: 'GAJ', requests: '999999' }, '关联协查编号（须为已有记录）');
    await refused({ ground: 'falsification', unit: 'GAJ', employment: 'hired', text: 'x' }, '人员类别（填写人员类别时须同时填写责任人员）');
    expect(await repo().count()).to.equal(count);
    expect(await one(id)).to.deep.equal(before);
  });
});
