import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { AccountabilityCase, AccountabilityEvent } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { complaintPerson } from '../../src/accountability/service';
import { ART4_GROUNDS, CASE_OUTCOMES, DECIDING_BODIES, EMPLOYMENT_TYPES, EXEMPTION_GROUNDS } from '../../src/accountability/codes';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { lastCard, mark, textsTo } from '../helpers/inbox';
import { noOfficeGroup } from '../helpers/scheduler';

/** Every code a card could leak instead of its label. */
const CODES = [...ART4_GROUNDS, ...CASE_OUTCOMES, ...DECIDING_BODIES, ...EMPLOYMENT_TYPES, ...EXEMPTION_GROUNDS, 'open', 'decided', 'exempted', 'approved', 'pending'];

function cardText(card: any): string {
  return JSON.stringify([card.main_title, card.sub_title_text ?? '', card.horizontal_content_list, (card.button_list ?? []).map((b: any) => b.text)]);
}

describe('accountability: decision, appeal, exemption, the person told at each step, export (SPEC 4)', () => {
  let h: Harness;
  let gaj: Api;
  let rsj: Api;
  let office: Api;
  let since = 0;
  const t = (hhmm: string, d = '2026-11-26') => `${d}T${hhmm}:00+08:00`;
  const env = directoryHarness(SchedulerMother.units(), { start: t('09:00') });

  beforeEach(async () => {
    h = env.h;
    gaj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'gaj-system', 'GAJ', h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    noOfficeGroup(h);
    since = mark(h);
  });

  async function open(person = 'gaj.a', employment = 'staff'): Promise<number> {
    const res = await office.post('/accountability/cases', { ground: 'unauthorised_certificate', unit: 'GAJ', person, employment, evidence: { text: '窗口要求申请人提供户籍证明' } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await h.sys.settle();
    return res.body.id;
  }
  const snapshot = async () => JSON.stringify([await h.sys.dataSource.getRepository(AccountabilityCase).find({ order: { id: 'ASC' } }), await h.sys.dataSource.getRepository(AccountabilityEvent).count()]);

  it('tells the person at opening and decision in cards with labels only; hired staff are decided by their own unit', async () => {
    const id = await open('gaj.a', 'hired');
    const opened = lastCard(h, 'gaj.a', `acc${id}_opened`)!;
    expect(opened, 'opened card').to.exist;
    expect(opened.card.horizontal_content_list).to.deep.include({ keyname: '事由', value: '擅自要求申请人提供证明（第四条第一项）' });
    expect(opened.card.button_list.map((b: any) => b.text)).to.deep.equal(['申请容错免责']);

    const before = await snapshot();
    const refused = await office.post(`/accountability/cases/${id}/decision`, { outcome: 'disciplinary', body: 'discipline_inspection' });
    expect([refused.status, refused.body.error.code]).to.deep.equal([422, 'accountability_hired_own_unit']);
    expect(await snapshot(), 'nothing changed').to.equal(before);

    h.clock.set(t('10:00'));
    const decided = await office.post(`/accountability/cases/${id}/decision`, { outcome: 'circulated_criticism', body: 'own_unit' });
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
    expect(decided.body.decision).to.deep.include({ body: 'own_unit', bodyLabel: '所在单位', decidedBy: '所在单位', label: '通报批评' });
    await h.sys.settle();
    const card = lastCard(h, 'gaj.a', `acc${id}_decided`)!;
    expect(card.card.horizontal_content_list).to.deep.include.members([{ keyname: '处理决定', value: '通报批评' }, { keyname: '决定机关', value: '所在单位' }]);
    expect(card.card.button_list.map((b: any) => b.text)).to.deep.equal(['申请复核/申诉', '申请容错免责']);
    for (const c of [opened.card, card.card]) {
      const shown = cardText(c);
      for (const code of CODES) expect(shown, `card shows the label, not ${code}`).not.to.match(new RegExp(`\\b${code}\\b`));
    }
  });

  it('the person appeals from the card and the chat; the decision stands; the office records the result and the person is told', async () => {
    const id = await open();
    await office.post(`/accountability/cases/${id}/decision`, { outcome: 'written_review', body: 'supervising_unit', decidedBy: '县政府办公室' });
    await h.sys.settle();
    const card = lastCard(h, 'gaj.a', `acc${id}_decided`)!;
    await h.emu.clickButton('gaj.a', card.taskId, `acc_appeal:${id}`);
    await h.sys.settle();
    expect(textsTo(h, 'gaj.a', since).at(-1)).to.include('请直接回复申请复核（申诉）的理由');
    await h.emu.sendText('gaj.a', '当日系统停电，无法核验');
    await h.sys.settle();
    expect(textsTo(h, 'gaj.a', since).at(-1)).to.include(`已提交第${id}号事项的复核（申诉）申请`);
    let got = await office.get(`/accountability/cases/${id}`);
    expect(got.body).to.deep.include({ status: 'decided', countsForAppraisal: true });
    expect(got.body.decision.outcome, 'the decision stands meanwhile').to.equal('written_review');
    expect(got.body.appeal).to.deep.include({ state: 'pending', by: 'gaj.a', reason: '当日系统停电，无法核验' });

    h.clock.set(t('14:00'));
    const result = await office.post(`/accountability/cases/${id}/appeal/decision`, { result: 'upheld', note: '停电不影响电话核验' });
    expect(result.status).to.equal(200);
    await h.sys.settle();
    const told = lastCard(h, 'gaj.a', `acc${id}_appeal_result`)!;
    expect(told.card.horizontal_content_list).to.deep.include({ keyname: '复核结果', value: '维持原决定' });
    got = await office.get(`/accountability/cases/${id}`);
    expect(got.body.events.map((e: any) => [e.type, e.label, e.actor])).to.deep.equal([
      ['opened', '立案', 'api:office-console'],
      ['decided', '作出处理决定', 'api:office-console'],
      ['appealed', '申请复核（申诉）', 'gaj.a'],
      ['appeal_decided', '复核（申诉）结果', 'api:office-console'],
    ]);
  });

  it('refuses an appeal by someone who is not the case\'s unit or person, and changes nothing', async () => {
    const id = await open();
    await office.post(`/accountability/cases/${id}/decision`, { outcome: 'written_review', body: 'own_unit' });
    await h.sys.settle();
    const before = await snapshot();
    const other = await rsj.post(`/accountability/cases/${id}/appeal`, { reason: '代为申诉' });
    expect([other.status, other.body.error.code]).to.deep.equal([403, 'accountability_not_party']);
    expect(other.body.error.message).to.include('only its unit (GAJ) or the person concerned');
    const byOffice = await office.post(`/accountability/cases/${id}/appeal`, { reason: '代为申诉' });
    expect([byOffice.status, byOffice.body.error.code]).to.deep.equal([403, 'accountability_not_party']);
    // Another person's text is no appeal: only the person's own card asks for one.
    await h.emu.sendText('gaj.b', '我来申诉');
    await h.sys.settle();
    expect(await snapshot()).to.equal(before);
  });

  it('exemption: the unit applies on an Art. 8 ground, the investigation and approver are recorded, the approved exemption is filed and leaves the figures', async () => {
    const id = await open();
    const before = await snapshot();
    const bad = await gaj.post(`/accountability/cases/${id}/exemption/application`, { ground: 'first_offence', explanation: '初次' });
    expect([bad.status, bad.body.error.code]).to.deep.equal([422, 'validation_failed']);
    expect(bad.body.error.message).to.include('Art. 8 (1)-(5)');
    expect((await gaj.post(`/accountability/cases/${id}/exemption/application`, { ground: 'harm_remedied', explanation: ' ' })).status).to.equal(422);
    expect((await rsj.post(`/accountability/cases/${id}/exemption/application`, { ground: 'harm_remedied', explanation: '代为申请' })).status).to.equal(403);
    expect((await office.post(`/accountability/cases/${id}/exemption/decision`, { approved: true, approver: '县公安局党委' })).status, 'nothing applied yet').to.equal(409);
    expect(await snapshot(), 'nothing changed').to.equal(before);

    const applied = await gaj.post(`/accountability/cases/${id}/exemption/application`, { ground: 'harm_remedied', explanation: '当日补办并向申请人致歉' });
    expect(applied.status, JSON.stringify(applied.body)).to.equal(200);
    expect(applied.body.exemption).to.deep.include({ state: 'applied', ground: 'harm_remedied', appliedBy: 'unit:GAJ', explanation: '当日补办并向申请人致歉' });
    expect(applied.body.countsForAppraisal).to.equal(true);
    expect((await office.post(`/accountability/cases/${id}/exemption/decision`, { approved: true, approver: '县公安局党委' })).status, 'investigation first').to.equal(409);
    const inv = await office.post(`/accountability/cases/${id}/exemption/investigation`, { findings: '经核实，当日已补办' });
    expect(inv.body.exemption.investigation).to.equal('经核实，当日已补办');
    h.clock.set(t('15:00'));
    const approved = await office.post(`/accountability/cases/${id}/exemption/decision`, { approved: true, approver: '县公安局党委' });
    expect(approved.body).to.deep.include({ status: 'exempted', countsForAppraisal: false });
    expect(approved.body.exemption).to.deep.include({ state: 'approved', approver: '县公安局党委', filedAt: t('15:00') });
    await h.sys.settle();
    const told = lastCard(h, 'gaj.a', `acc${id}_exemption_result`)!;
    expect(told.card.horizontal_content_list).to.deep.include.members([{ keyname: '免责结果', value: '免责已批准并备案（不影响年度考核等）' }, { keyname: '批准机关', value: '县公安局党委' }]);
    // Out of the per-person record: the listing says it no longer counts.
    const listed = await office.get('/accountability/cases?person=gaj.a');
    expect(listed.body.cases.map((c: any) => [c.id, c.countsForAppraisal])).to.deep.equal([[id, false]]);
  });

  it('the person applies for exemption from the card: the grounds are listed, a malformed answer is asked again', async () => {
    const id = await open();
    const card = lastCard(h, 'gaj.a', `acc${id}_opened`)!;
    await h.emu.clickButton('gaj.a', card.taskId, `acc_exempt:${id}`);
    await h.sys.settle();
    const asked = textsTo(h, 'gaj.a', since).at(-1)!;
    expect(asked).to.include('1. 符合中央及省市县确定的改革方向').and.include('5. 其他依法不予追究责任的情形');
    await h.emu.sendText('gaj.a', '9 无');
    await h.sys.settle();
    expect(textsTo(h, 'gaj.a', since).at(-1)).to.include('格式不对');
    await h.emu.sendText('gaj.a', '4 当日已补办并说明情况');
    await h.sys.settle();
    const got = await office.get(`/accountability/cases/${id}`);
    expect(got.body.exemption).to.deep.include({ state: 'applied', ground: 'harm_remedied', appliedBy: 'gaj.a', explanation: '当日已补办并说明情况' });
  });

  it('an upheld complaint names the person the complaint says, else the agency liaison', async () => {
    const m = h.sys.dataSource.manager;
    expect(await complaintPerson(m, 'GAJ', '公安代办A')).to.deep.equal({ userid: 'gaj.a', role: 'named' });
    expect(await complaintPerson(m, 'GAJ', 'gaj.b')).to.deep.equal({ userid: 'gaj.b', role: 'named' });
    expect(await complaintPerson(m, 'GAJ', '人社代办A'), 'not in the agency').to.deep.equal({ userid: 'gaj.liaison', role: 'liaison' });
    expect(await complaintPerson(m, 'GAJ', null)).to.deep.equal({ userid: 'gaj.liaison', role: 'liaison' });
  });

  it('exports every case with every step, who and when, to xlsx', async () => {
    const id = await open();
    h.clock.set(t('10:00'));
    await office.post(`/accountability/cases/${id}/decision`, { outcome: 'rectify', rectifyBy: '2026-12-15', body: 'own_unit' });
    h.clock.set(t('11:00'));
    await gaj.post(`/accountability/cases/${id}/appeal`, { reason: '理由' });
    const res = await fetch(`${h.sys.url}/api/v1/accountability/cases.xlsx`, { headers: { authorization: `Bearer ${office.key}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-disposition')).to.include('accountability-cases.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.worksheets[0];
    const rows: string[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    expect(rows[0]).to.include.members(['编号', '步骤', '时间', '办理人']);
    expect(rows.slice(1).map((r) => [r[0], r[12], r[13], r[14]])).to.deep.equal([
      [String(id), '立案', '2026-11-26 09:00', 'api:office-console'],
      [String(id), '作出处理决定', '2026-11-26 10:00', 'api:office-console'],
      [String(id), '申请复核（申诉）', '2026-11-26 11:00', 'unit:GAJ'],
    ]);
    expect(rows[1]).to.include('擅自要求申请人提供证明（第四条第一项）');
    // A unit's key exports its own unit's cases only.
    const asRsj = await fetch(`${h.sys.url}/api/v1/accountability/cases.xlsx`, { headers: { authorization: `Bearer ${rsj.key}` } });
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(Buffer.from(await asRsj.arrayBuffer()) as never);
    expect(wb2.worksheets[0].rowCount).to.equal(1);
  });
});
