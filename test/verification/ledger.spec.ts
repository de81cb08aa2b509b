import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { OutboxMessage, VerificationRequest } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother, idNumber } from '../helpers/mothers/verification';
import { ExemptionMother } from '../helpers/mothers/exemptions';
import { Api } from '../helpers/api';
import { cardOf } from '../helpers/inbox';
import { expectUnchanged, snapshot } from '../helpers/verification';
import { publishEntries } from '../helpers/seed';

describe('verification: offline requests, ledgers, templates, list entries (SPEC 1 Art. 3, 4, 8, 9)', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let gaj: Api;
  let scj: Api;
  const units = DirectoryMother.standard();

  const env = directoryHarness(units);
  beforeEach(async () => {
    h = env.h;
    const ds = h.sys.dataSource;
    office = new Api(h.sys.url, await createApiKey(ds, 'office', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(ds, 'rsj-system', 'RSJ', h.clock.now));
    gaj = new Api(h.sys.url, await createApiKey(ds, 'gaj-system', 'GAJ', h.clock.now));
    scj = new Api(h.sys.url, await createApiKey(ds, 'scj-system', 'SCJ', h.clock.now));
  });

  async function create(over = {}) {
    const res = await rsj.post('/verifications', VerificationMother.body(over));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await h.sys.settle();
    return res.body as { id: number; number: string; dueAt: string };
  }

  it('records a request handled by fax with its answer: no card, no message, in the ledger', async () => {
    const outboxBefore = await h.sys.dataSource.getRepository(OutboxMessage).count();
    const res = await rsj.post('/verifications/offline', {
      ...VerificationMother.body(),
      channel: 'fax',
      startedAt: '2026-11-25T10:00:00+08:00',
      answer: { result: 'mismatch', details: '传真回复：记录不符', answeredAt: '2026-11-25T10:20:00+08:00' },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.deep.include({ status: 'answered', channel: 'fax', dueAt: '2026-11-25T10:30:00+08:00' });
    expect(await h.sys.dataSource.getRepository(OutboxMessage).count()).to.equal(outboxBefore);
    const got = await rsj.get(`/verifications/${res.body.id}`);
    expect(got.body).to.deep.include({ channel: 'fax', status: 'answered', overdue: false });
    expect(got.body.reply).to.deep.equal({ result: 'mismatch', details: '传真回复：记录不符', answeredAt: '2026-11-25T10:20:00+08:00' });
    expect(got.body.events.map((e: any) => e.type)).to.have.members(['created', 'answered']);
    expect(got.body.clocks.verification.officeMinutes).to.equal(20);

    // An email request recorded while still open, answered later by the issuing unit's system.
    const open = await rsj.post('/verifications/offline', { ...VerificationMother.body({ category: 'paper' }), channel: 'email', startedAt: '2026-11-26T08:40:00+08:00' });
    expect(open.body.status).to.equal('pending');
    const ans = await gaj.post(`/verifications/${open.body.id}/answer`, { result: 'match' });
    expect(ans.status).to.equal(200);
    expect(ans.body.status).to.equal('answered');
  });

  it('refuses an offline record with times out of order or in the future', async () => {
    const before = await snapshot(h);
    const future = await rsj.post('/verifications/offline', { ...VerificationMother.body(), channel: 'oa', startedAt: '2026-11-27T09:00:00+08:00' });
    expect(future.status).to.equal(422);
    const backwards = await rsj.post('/verifications/offline', {
      ...VerificationMother.body(),
      channel: 'oa',
      startedAt: '2026-11-25T10:00:00+08:00',
      answer: { result: 'match', answeredAt: '2026-11-25T09:00:00+08:00' },
    });
    expect(backwards.status).to.equal(422);
    const channel = await rsj.post('/verifications/offline', { ...VerificationMother.body(), channel: 'pigeon', startedAt: '2026-11-25T10:00:00+08:00' });
    expect(channel.status).to.equal(422);
    await expectUnchanged(h, before);
  });

  it('keeps the Art. 8-9 ledger: supplementary material after a mismatch, on-site verification, voluntary hand-in', async () => {
    const mismatch = await create();
    await gaj.post(`/verifications/${mismatch.id}/answer`, { result: 'mismatch', details: '户籍信息与申报不符' });
    const match = await create();
    await gaj.post(`/verifications/${match.id}/answer`, { result: 'match' });

    const sup = await rsj.post(`/verifications/${mismatch.id}/ledger`, { kind: 'supplementary', material: '户口簿复印件', purpose: '核实户籍地址' });
    expect(sup.status, JSON.stringify(sup.body)).to.equal(201);
    expect(sup.body).to.deep.include({ kind: 'supplementary', unit: 'RSJ', material: '户口簿复印件', recordedBy: 'api:rsj-system' });

    const refused = await rsj.post(`/verifications/${match.id}/ledger`, { kind: 'supplementary', material: '户口簿' });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.code).to.equal('verification_invalid_state');
    expect((await gaj.post(`/verifications/${mismatch.id}/ledger`, { kind: 'onsite', material: 'x' })).status, 'the issuing unit keeps no such ledger').to.equal(403);
    expect((await scj.post(`/verifications/${mismatch.id}/ledger`, { kind: 'onsite', material: 'x' })).status).to.equal(404);

    const onsite = await rsj.post(`/verifications/${match.id}/ledger`, { kind: 'onsite', material: '现场查验营业执照原件', outcome: '一致', occurredAt: '2026-11-26T08:50:00+08:00' });
    expect(onsite.status).to.equal(201);
    const vol = await rsj.post(`/verifications/${match.id}/ledger`, { kind: 'voluntary', material: '申请人自愿提交无犯罪记录证明' });
    expect(vol.status).to.equal(201);

    const got = await rsj.get(`/verifications/${match.id}`);
    expect(got.body.ledger.map((e: any) => e.kind)).to.deep.equal(['onsite', 'voluntary']);
    expect(got.body.events.filter((e: any) => e.type === 'ledger_recorded')).to.have.length(2);

    // Queryable by unit and date.
    h.clock.set('2026-11-27T09:00:00+08:00');
    const other = await create();
    await gaj.post(`/verifications/${other.id}/answer`, { result: 'mismatch', details: '不符' });
    await rsj.post(`/verifications/${other.id}/ledger`, { kind: 'supplementary', material: '结婚证' });

    const day = await rsj.get('/ledgers?from=2026-11-26&to=2026-11-26');
    expect(day.status).to.equal(200);
    expect(day.body.unit).to.equal('RSJ');
    expect(day.body.requests.map((r: any) => r.id)).to.deep.equal([mismatch.id, match.id]);
    expect(day.body.entries.map((e: any) => e.kind)).to.deep.equal(['onsite', 'supplementary', 'voluntary']);
    expect(day.body.requests[0].applicant.idNumber).to.equal(`370323********${idNumber().slice(-4)}`);
    const next = await rsj.get('/ledgers?from=2026-11-27&kind=supplementary');
    expect(next.body.entries.map((e: any) => e.material)).to.deep.equal(['结婚证']);
    const issuerSide = await gaj.get('/ledgers?from=2026-11-26&to=2026-11-27');
    expect(issuerSide.body.requests, 'the issuing unit sees the requests it answered').to.have.length(3);
    expect(issuerSide.body.entries, 'but not the requesting unit\'s ledger').to.have.length(0);
    expect((await rsj.get('/ledgers?unit=GAJ')).status).to.equal(403);
    expect((await rsj.get('/ledgers?from=2026-13-01')).status).to.equal(422);
    const all = await office.get('/ledgers?unit=RSJ');
    expect(all.body.entries).to.have.length(4);
    const list = await rsj.get('/verifications?from=2026-11-27');
    expect(list.body.verifications.map((r: any) => r.id)).to.deep.equal([other.id]);

    // The same as .xlsx.
    const res = await fetch(`${h.sys.url}/api/v1/ledgers/export?from=2026-11-26&to=2026-11-27`, { headers: { authorization: `Bearer ${rsj.key}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.include('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as any);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['核验台账', '补充材料台账']);
    const s1 = wb.getWorksheet('核验台账')!;
    expect(s1.rowCount).to.equal(4);
    expect(s1.getRow(1).getCell(1).value).to.equal('编号');
    expect(String(s1.getRow(2).getCell(9).value)).to.equal(`370323********${idNumber().slice(-4)}`);
    const s2 = wb.getWorksheet('补充材料台账')!;
    expect(s2.rowCount).to.equal(5);
    expect([2, 3, 4, 5].map((i) => s2.getRow(i).getCell(3).value)).to.deep.equal(['现场核验', '要求补充材料', '申请人自愿提交', '要求补充材料']);
  });

  it('a list entry gives the issuing unit and the default category; an unknown entry is 422', async () => {
    const [entryId] = await publishEntries(h.sys.dataSource, [ExemptionMother.entry({ serviceItem: '城乡居民养老保险待遇申领', certificate: '户籍证明', issuerUnit: 'GAJ', defaultCategory: 'paper' })], h.clock.now);
    const res = await rsj.post('/verifications', { requesterUnit: 'RSJ', listEntryId: entryId, applicant: { name: '李四', idNumber: idNumber() }, question: '户籍是否在本县' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.dueAt).to.equal('2026-11-27T17:30:00+08:00');
    const got = await rsj.get(`/verifications/${res.body.id}`);
    expect(got.body).to.deep.include({ issuerUnit: 'GAJ', category: 'paper', listEntryId: entryId, serviceItem: '城乡居民养老保险待遇申领', certificate: '户籍证明' });
    await h.sys.settle();
    expect(cardOf(h, 'gaj.liaison', res.body.id)).to.exist;

    const before = await snapshot(h);
    const unknown = await rsj.post('/verifications', { requesterUnit: 'RSJ', listEntryId: entryId + 999, applicant: { name: '李四', idNumber: idNumber() }, question: '?' });
    expect(unknown.status).to.equal(422);
    expect(unknown.body.error.code).to.equal('list_entry_unknown');
    const differs = await rsj.post('/verifications', { requesterUnit: 'RSJ', issuerUnit: 'SCJ', listEntryId: entryId, applicant: { name: '李四', idNumber: idNumber() }, question: '?' });
    expect(differs.status).to.equal(422);
    await expectUnchanged(h, before);
  });

  it('templates of the request and reply letters (Art. 4) attach to requests and give a default category', async () => {
    const put = await gaj.put('/verification-templates', {
      issuerUnit: 'GAJ',
      certificate: '无犯罪记录证明',
      category: 'paper',
      fields: ['姓名', '身份证号码', '查询期间'],
      method: '查询违法犯罪记录信息系统',
      requestLetter: '协查函：请核验申请人是否有犯罪记录。',
      replyLetter: '反馈函：经核查，申请人（有/无）犯罪记录。',
    });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect((await scj.put('/verification-templates', { ...put.body, issuerUnit: 'GAJ' })).status).to.equal(403);
    const { id } = await create({ category: undefined });
    const got = await rsj.get(`/verifications/${id}`);
    expect(got.body.category).to.equal('paper');
    expect(got.body.template).to.deep.include({ certificate: '无犯罪记录证明', fields: ['姓名', '身份证号码', '查询期间'], method: '查询违法犯罪记录信息系统' });
    const list = await office.get('/verification-templates?issuerUnit=GAJ');
    expect(list.body.templates).to.have.length(1);
  });

  it('the requesting unit cancels: cards show it, the owner is told', async () => {
    const { id, number } = await create();
    const taskL = cardOf(h, 'gaj.liaison', id)!.taskId;
    const taskA = cardOf(h, 'gaj.a', id)!.taskId;
    await h.emu.clickButton('gaj.a', taskA, `verif_accept:${id}`);
    await h.sys.settle();
    const res = await rsj.post(`/verifications/${id}/cancel`, { reason: '申请人撤回申请' });
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('cancelled');
    await h.sys.settle();
    expect(h.emu.cardState('gaj.liaison', taskL)!.replace_name, 'already closed earlier').to.equal('已由公安代办A受理');
    expect(h.emu.delivered({ touser: 'gaj.a', msgtype: 'text' }).map((d) => d.payload.content).pop()).to.equal(`协查 ${number} 已被需求单位撤回，无需再答复。`);
    expect((await gaj.post(`/verifications/${id}/cancel`, {})).status).to.equal(403);
    expect((await rsj.post(`/verifications/${id}/cancel`, {})).status).to.equal(409);
    expect((await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id })).status).to.equal('cancelled');
  });
});
