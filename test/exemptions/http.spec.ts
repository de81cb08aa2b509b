import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { ExemptionApplication, ExemptionEntry, ExemptionComment, VerificationRequest } from '../../entities';
import { getVerificationEntry, searchPublished } from '../../src/exemptions';
import { idNumber } from '../helpers/mothers/verification';
import { ExemptionMother, exemptionUnits } from '../helpers/mothers/exemptions';
import { Api } from '../helpers/api';
import { cardsTo, mark, textsTo } from '../helpers/inbox';
import { listState } from '../helpers/exemptions';
import { publishEntries } from '../helpers/seed';

describe('exemption list over HTTP (SPEC 2, CONTRACT /api/v1/exemptions)', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let gaj: Api;
  let pub: Api;
  const units = exemptionUnits();

  const env = directoryHarness(units);
  beforeEach(async () => {
    h = env.h;
    const ds = h.sys.dataSource;
    office = new Api(h.sys.url, await createApiKey(ds, 'office-console', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(ds, 'rsj-system', 'RSJ', h.clock.now));
    gaj = new Api(h.sys.url, await createApiKey(ds, 'gaj-system', 'GAJ', h.clock.now));
    pub = new Api(h.sys.url, null);
  });

  /** Asserts the call fails with status/code and leaves every list table and the outbox as they were. */
  async function refused(call: () => Promise<{ status: number; body: any }>, status: number, code: string) {
    const before = await listState(h.sys.dataSource);
    const res = await call();
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.error.code).to.equal(code);
    await h.sys.settle();
    expect(await listState(h.sys.dataSource), 'nothing changed').to.equal(before);
    return res.body.error;
  }

  async function applied(api: Api, body: object) {
    const res = await api.post('/exemptions/applications', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  async function approve(id: number) {
    const res = await office.post(`/exemptions/applications/${id}/review`, { decision: 'approve' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }

  async function publishNow(body: object = {}) {
    const res = await office.post('/exemptions/publish', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  describe('access', () => {
    it('public routes answer without a key; office and unit routes demand one', async () => {
      const s = await pub.get('/exemptions?q=户籍');
      expect(s.status).to.equal(200);
      expect(s.body).to.deep.equal({ version: null, q: '户籍', page: 1, pageSize: 20, total: 0, items: [] });
      expect((await pub.get('/exemptions/versions')).body).to.deep.equal({ versions: [] });
      expect((await pub.post('/exemptions/comments', { content: '建议增加低保事项' })).status).to.equal(201);
      for (const [m, p] of [
        ['POST', '/exemptions/applications'],
        ['GET', '/exemptions/applications'],
        ['POST', '/exemptions/publish'],
        ['POST', '/exemptions/import'],
        ['GET', '/exemptions/comments'],
        ['GET', '/exemptions/draft'],
        ['POST', '/exemptions/causes'],
      ]) {
        const res = await pub.call(m, p, m === 'POST' ? {} : undefined);
        expect(res.status, `${m} ${p}`).to.equal(401);
        expect(res.body.error.code).to.equal('unauthorized');
      }
      // a unit key is not the office
      expect((await rsj.post('/exemptions/publish', {})).status).to.equal(403);
      expect((await rsj.get('/exemptions/comments')).status).to.equal(403);
    });
  });

  describe('an adjustment end to end', () => {
    it('add: apply -> review cards -> approve (API) -> publish -> public search -> getVerificationEntry -> a verification request uses it', async () => {
      let since = mark(h);
      const a = await applied(rsj, ExemptionMother.addBody());
      expect(a).to.deep.include({ status: 'pending', kind: 'add', unitCode: 'RSJ', initiator: 'unit', late: false, causeDate: '2026-11-25', dueAt: '2026-12-04T17:30:00+08:00', entryId: null });
      expect(a.fields).to.deep.include({ serviceItem: '失业保险金申领', certificate: '户籍证明', requesterUnit: 'RSJ', issuerUnit: 'GAJ', method: 'verification', defaultCategory: 'paper' });

      await h.sys.settle();
      for (const userid of ['office.duty', 'office.chief']) {
        const cards = cardsTo(h, userid, since);
        expect(cards, userid).to.have.length(1);
        expect(JSON.stringify(cards[0].card)).to.include('县人社局').and.include('失业保险金申领').and.include('户籍证明');
      }
      const taskId = cardsTo(h, 'office.duty', since)[0].taskId;

      // approved: in the draft, not yet public
      since = mark(h);
      const ok = await approve(a.id);
      expect(ok.status).to.equal('approved');
      expect(ok.entryId).to.be.a('number');
      await h.sys.settle();
      expect(h.emu.cardState('office.duty', taskId)!.replace_name).to.equal('已同意·联席会议办公室');
      expect(h.emu.cardState('office.chief', taskId)!.replace_name).to.equal('已同意·联席会议办公室');
      expect(textsTo(h, 'rsj.liaison', since).join('\n')).to.include(`申请号 ${a.id}`).and.include('同意');
      expect((await pub.get('/exemptions?q=户籍')).body.total).to.equal(0);
      expect(await getVerificationEntry(h.sys.dataSource.manager, ok.entryId)).to.equal(null);
      const draft = await office.get('/exemptions/draft');
      expect(draft.body.added.map((e: any) => e.id)).to.deep.equal([ok.entryId]);

      // published: version 1, searchable, the verification helper sees it
      since = mark(h);
      const v = await publishNow({ note: '2026年第一版' });
      expect(v).to.deep.include({ number: 1, entryCount: 1, added: 1, changed: 0, cancelled: 0, publishedAt: '2026-11-26T09:00:00+08:00' });
      await h.sys.settle();
      expect(textsTo(h, 'rsj.liaison', since).join('\n')).to.include('第1版');
      const found = await pub.get(`/exemptions?q=${encodeURIComponent('户籍')}`);
      expect(found.body.version).to.deep.equal({ number: 1, publishedAt: '2026-11-26T09:00:00+08:00' });
      expect(found.body.items).to.deep.equal([
        {
          id: ok.entryId,
          serviceItem: '失业保险金申领',
          certificate: '户籍证明',
          method: 'verification',
          requesterUnit: { code: 'RSJ', name: '县人社局' },
          issuerUnit: { code: 'GAJ', name: '县公安局' },
          issuerUnitName: '县公安局',
          legalBasis: '《失业保险条例》第十六条',
          defaultCategory: 'paper',
        },
      ]);
      expect((await pub.get(`/exemptions?q=${encodeURIComponent('失业保险')}`)).body.total).to.equal(1);
      expect((await searchPublished(h.sys.dataSource, '户籍证明', 5)).map((x) => x.issuerUnitName)).to.deep.equal(['县公安局']);
      expect(await getVerificationEntry(h.sys.dataSource.manager, ok.entryId)).to.deep.equal({
        id: ok.entryId,
        serviceItem: '失业保险金申领',
        certificate: '户籍证明',
        requesterUnit: 'RSJ',
        issuerUnit: 'GAJ',
        defaultCategory: 'paper',
      });

      const vr = await rsj.post('/verifications', { requesterUnit: 'RSJ', listEntryId: ok.entryId, applicant: { name: '张小三', idNumber: idNumber() }, question: '申请人户籍是否在本县' });
      expect(vr.status, JSON.stringify(vr.body)).to.equal(201);
      const req = await h.sys.dataSource.getRepository(VerificationRequest).findOneByOrFail({ id: vr.body.id });
      expect(req).to.deep.include({ issuerUnit: 'GAJ', listEntryId: ok.entryId, category: 'paper', certificate: '户籍证明', serviceItem: '失业保险金申领' });
    });

    it('change and cancel, each published: versions list and the diff between any two', async () => {
      const [e1, e2, e3] = await publishEntries(h.sys.dataSource, ExemptionMother.many(3), h.clock.now);
      h.clock.set('2026-11-27T10:00:00+08:00');
      const ch = await applied(rsj, ExemptionMother.changeBody(e1, { method: 'commitment', causeDate: '2026-11-26' }));
      expect(ch.fields).to.deep.equal({ method: 'commitment' });
      const cx = await applied(gaj, ExemptionMother.cancelBody(e2, { causeDate: '2026-11-26', note: '设定依据已废止' }));
      await approve(ch.id);
      await approve(cx.id);
      const ad = await applied(rsj, ExemptionMother.addBody({ serviceItem: '低保申请', certificate: '收入证明', method: 'commitment' }));
      await approve(ad.id);
      const v2 = await publishNow();
      expect(v2).to.deep.include({ number: 2, entryCount: 3, added: 1, changed: 1, cancelled: 1, publishedAt: '2026-11-27T10:00:00+08:00' });
      const versions = (await pub.get('/exemptions/versions')).body.versions;
      expect(versions.map((v: any) => [v.number, v.added, v.changed, v.cancelled])).to.deep.equal([
        [2, 1, 1, 1],
        [1, 3, 0, 0],
      ]);
      const diff = (await pub.get('/exemptions/versions/1/diff/2')).body;
      expect(diff.from.number).to.equal(1);
      expect(diff.added.map((x: any) => x.serviceItem)).to.deep.equal(['低保申请']);
      expect(diff.cancelled.map((x: any) => x.id)).to.deep.equal([e2]);
      expect(diff.changed).to.have.length(1);
      expect(diff.changed[0]).to.deep.include({ id: e1, fields: [{ field: 'method', before: 'verification', after: 'commitment' }] });
      const back = (await pub.get('/exemptions/versions/2/diff/1')).body;
      expect(back.added.map((x: any) => x.id)).to.deep.equal([e2]);
      expect((await pub.get('/exemptions/versions/1/diff/9')).status).to.equal(404);
      // the cancelled entry no longer feeds verification requests; the untouched one does
      expect(await getVerificationEntry(h.sys.dataSource.manager, e2)).to.equal(null);
      expect(await getVerificationEntry(h.sys.dataSource.manager, e1), 'no longer method verification').to.equal(null);
      expect(e3).to.be.a('number');
      // old versions stay searchable by number
      expect((await pub.get(`/exemptions?version=1&q=${encodeURIComponent('城乡居民')}`)).body.total).to.equal(1);
      expect((await applied(rsj, ExemptionMother.changeBody(e1, { method: 'sharing', causeDate: '2026-11-26' }))).status).to.equal('pending');
      // applications carried by version 2 are marked
      const carried = await h.sys.dataSource.getRepository(ExemptionApplication).findBy({ publishedVersion: 2 });
      expect(carried.map((a) => a.id).sort()).to.deep.equal([ch.id, cx.id, ad.id].sort());
    });

    it('return for changes -> the unit resubmits -> a new review round; withdraw releases the entry', async () => {
      const [e1] = await publishEntries(h.sys.dataSource, ExemptionMother.many(1), h.clock.now);
      const a = await applied(rsj, ExemptionMother.changeBody(e1));
      await refused(() => office.post(`/exemptions/applications/${a.id}/review`, { decision: 'return' }), 422, 'validation_failed');
      const ret = await office.post(`/exemptions/applications/${a.id}/review`, { decision: 'return', comment: '请补充数据共享的接口名称' });
      expect(ret.body).to.deep.include({ status: 'returned', reviewComment: '请补充数据共享的接口名称' });
      // still locked while returned
      await refused(() => gaj.post('/exemptions/applications', ExemptionMother.cancelBody(e1)), 409, 'exemption_conflict');
      h.clock.set('2026-11-26T10:00:00+08:00');
      const re = await rsj.post(`/exemptions/applications/${a.id}/resubmit`, { note: '接口：人口库户籍查询' });
      expect(re.status, JSON.stringify(re.body)).to.equal(200);
      expect(re.body).to.deep.include({ status: 'pending', note: '接口：人口库户籍查询', submittedAt: '2026-11-26T10:00:00+08:00' });
      expect(re.body.fields).to.deep.equal({ method: 'sharing' });
      // another unit cannot see or withdraw it
      expect((await gaj.post(`/exemptions/applications/${a.id}/withdraw`)).status).to.equal(404);
      await h.sys.settle();
      const cards = cardsTo(h, 'office.duty');
      const w = await rsj.post(`/exemptions/applications/${a.id}/withdraw`);
      expect(w.body.status).to.equal('withdrawn');
      await h.sys.settle();
      expect(h.emu.cardState('office.duty', cards[cards.length - 1].taskId)!.replace_name, 'the open review card shows the withdrawal').to.equal('已处理：已撤回');
      expect((await gaj.post('/exemptions/applications', ExemptionMother.cancelBody(e1))).status).to.equal(201);
      // lists: a unit sees its own
      expect((await rsj.get('/exemptions/applications')).body.applications.map((x: any) => x.id)).to.deep.equal([a.id]);
      expect((await office.get('/exemptions/applications?status=pending')).body.applications).to.have.length(1);
    });

    it('the office starts an adjustment itself (Art. 11)', async () => {
      const a = await applied(office, ExemptionMother.addBody({ requesterUnit: 'SCJ', issuerUnit: 'GAJ', unitCode: 'SCJ' }));
      expect(a).to.deep.include({ initiator: 'office', unitCode: 'SCJ' });
      const b = await applied(office, ExemptionMother.addBody({ serviceItem: '信访事项受理', requesterUnit: 'OFFICE' }));
      expect(b.unitCode).to.equal('OFFICE');
    });
  });

  describe('bad input: a clear error, nothing changed', () => {
    it('an application past its 7 working days is accepted and flagged late', async () => {
      const a = await applied(rsj, ExemptionMother.addBody({ causeDate: '2026-11-10' }));
      expect(a).to.deep.include({ status: 'pending', late: true, dueAt: '2026-11-19T17:30:00+08:00' });
    });

    it('a change of an entry that does not exist', async () => {
      const e = await refused(() => rsj.post('/exemptions/applications', ExemptionMother.changeBody(999)), 404, 'exemption_not_found');
      expect(e.message).to.include('999');
    });

    it('a cancel of an already-cancelled entry', async () => {
      const [e1] = await publishEntries(h.sys.dataSource, ExemptionMother.many(1), h.clock.now);
      await approve((await applied(rsj, ExemptionMother.cancelBody(e1))).id);
      const e = await refused(() => gaj.post('/exemptions/applications', ExemptionMother.cancelBody(e1)), 409, 'exemption_invalid_state');
      expect(e.message).to.include('already cancelled');
      // and a change of it
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.changeBody(e1)), 409, 'exemption_invalid_state');
    });

    it('two conflicting pending applications on one entry (and two adds of one item)', async () => {
      const [e1] = await publishEntries(h.sys.dataSource, ExemptionMother.many(1), h.clock.now);
      const first = await applied(rsj, ExemptionMother.changeBody(e1));
      const e = await refused(() => gaj.post('/exemptions/applications', ExemptionMother.cancelBody(e1)), 409, 'exemption_conflict');
      expect(e.message).to.include(`application ${first.id}`);
      await applied(rsj, ExemptionMother.addBody({ serviceItem: '低保申请' }));
      await refused(() => office.post('/exemptions/applications', ExemptionMother.addBody({ serviceItem: ' 低保 申请 ', unitCode: 'RSJ', requesterUnit: 'RSJ' })), 409, 'exemption_conflict');
      // an add of what the list already holds
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody(ExemptionMother.many(1)[0])), 409, 'exemption_conflict');
    });

    it('an import with a missing column', async () => {
      const file = await ExemptionMother.workbook([ExemptionMother.row(ExemptionMother.entry())], { omit: ['设定依据'] });
      const e = await refused(() => office.post('/exemptions/import', file), 422, 'exemption_import_invalid');
      expect(e.details.missingColumns).to.deep.equal(['设定依据']);
    });

    it('an import with bad rows reports each row; nothing is loaded', async () => {
      const rows = [
        ExemptionMother.row(ExemptionMother.entry()),
        ExemptionMother.row(ExemptionMother.entry({ serviceItem: '低保申请', issuerUnit: 'NOPE' })),
        { ...ExemptionMother.row(ExemptionMother.entry({ serviceItem: '残疾人证办理' })), 免提交方式: '快递' },
        ExemptionMother.row(ExemptionMother.entry()),
      ];
      const file = await ExemptionMother.workbook(rows);
      const e = await refused(() => office.post('/exemptions/import', file), 422, 'exemption_import_invalid');
      expect(e.details.errors.map((x: any) => [x.row, x.column])).to.deep.equal([
        [3, '出具单位编码'],
        [4, '免提交方式'],
        [5, '证明材料'],
      ]);
      expect(e.details.errors[2].message).to.equal('same service item, certificate and requesting unit as row 2');
    });

    it('a search with SQL-looking text finds nothing and breaks nothing; wildcards are literal', async () => {
      await publishEntries(h.sys.dataSource, ExemptionMother.many(8), h.clock.now);
      const before = await listState(h.sys.dataSource);
      for (const q of ["' OR '1'='1", "户籍'; DROP TABLE exemption_entries; --", '%', '_', '!', '\\', '1%', '" OR ""="']) {
        const res = await pub.get(`/exemptions?q=${encodeURIComponent(q)}`);
        expect(res.status, q).to.equal(200);
        expect(res.body.total, q).to.equal(0);
      }
      expect(await listState(h.sys.dataSource)).to.equal(before);
      expect((await pub.get('/exemptions')).body.total, 'no q lists the version').to.equal(8);
    });

    it('a search with 10,000 characters (or over 100) is refused; so is a repeated or bad parameter', async () => {
      await refused(() => pub.get(`/exemptions?q=${'a'.repeat(10_000)}`), 422, 'validation_failed');
      await refused(() => pub.get(`/exemptions?q=${encodeURIComponent('证'.repeat(101))}`), 422, 'validation_failed');
      expect((await pub.get(`/exemptions?q=${encodeURIComponent('证'.repeat(100))}`)).status).to.equal(200);
      await refused(() => pub.get('/exemptions?q=a&q=b'), 422, 'validation_failed');
      await refused(() => pub.get('/exemptions?page=0'), 422, 'validation_failed');
      await refused(() => pub.get('/exemptions?pageSize=500'), 422, 'validation_failed');
      await refused(() => pub.get('/exemptions?method=fax'), 422, 'validation_failed');
      // 10,000 Chinese characters do not fit an HTTP request line: the chat path refuses them quietly
      expect(await searchPublished(h.sys.dataSource, '证'.repeat(10_000), 5)).to.deep.equal([]);
    });

    it('unknown units, a reason of another kind, a future cause date, missing fields, foreign entries', async () => {
      const [e1] = await publishEntries(h.sys.dataSource, ExemptionMother.many(1), h.clock.now);
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ issuerUnit: 'NOPE' })), 422, 'validation_failed');
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ reason: 'law_removes_item' })), 422, 'validation_failed');
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ causeDate: '2026-11-27' })), 422, 'validation_failed');
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ causeDate: '2026-02-30' })), 422, 'validation_failed');
      await refused(() => rsj.post('/exemptions/applications', { ...ExemptionMother.addBody(), legalBasis: undefined }), 422, 'validation_failed');
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ kind: 'rename' as never })), 422, 'validation_failed');
      await refused(() => rsj.post('/exemptions/applications', { ...ExemptionMother.addBody(), extra: 1 }), 422, 'validation_failed');
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.changeBody(e1, { method: 'verification' })), 422, 'validation_failed');
      await refused(() => rsj.post('/exemptions/applications', ExemptionMother.cancelBody(e1, { method: 'sharing' })), 422, 'validation_failed');
      // SCJ neither requests nor issues entry e1; nor may it apply as RSJ
      const scj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'scj', 'SCJ', h.clock.now));
      await refused(() => scj.post('/exemptions/applications', ExemptionMother.cancelBody(e1)), 403, 'forbidden');
      await refused(() => scj.post('/exemptions/applications', ExemptionMother.addBody({ unitCode: 'RSJ' })), 403, 'forbidden');
      await refused(() => scj.post('/exemptions/applications', ExemptionMother.addBody({ requesterUnit: 'RSJ' })), 403, 'forbidden');
      await refused(() => rsj.call('POST', '/exemptions/applications'), 422, 'validation_failed');
    });

    it('review: only the office, only pending applications, with a comment to return or reject', async () => {
      const a = await applied(rsj, ExemptionMother.addBody());
      await refused(() => rsj.post(`/exemptions/applications/${a.id}/review`, { decision: 'approve' }), 403, 'forbidden');
      await refused(() => office.post(`/exemptions/applications/${a.id}/review`, { decision: 'reject', comment: '  ' }), 422, 'validation_failed');
      await refused(() => office.post(`/exemptions/applications/${a.id}/review`, { decision: 'maybe' }), 422, 'validation_failed');
      await refused(() => office.post('/exemptions/applications/999/review', { decision: 'approve' }), 404, 'exemption_not_found');
      await refused(() => office.post('/exemptions/applications/abc/review', { decision: 'approve' }), 404, 'exemption_not_found');
      const rej = await office.post(`/exemptions/applications/${a.id}/review`, { decision: 'reject', comment: '不属于证明事项' });
      expect(rej.body.status).to.equal('rejected');
      await refused(() => office.post(`/exemptions/applications/${a.id}/review`, { decision: 'approve' }), 409, 'exemption_invalid_state');
      await refused(() => rsj.post(`/exemptions/applications/${a.id}/resubmit`, {}), 409, 'exemption_invalid_state');
      // rejected released the item: it may be applied for again
      expect((await rsj.post('/exemptions/applications', ExemptionMother.addBody())).status).to.equal(201);
    });

    it('publish: an empty list, an unchanged list (unless confirmed)', async () => {
      await refused(() => office.post('/exemptions/publish', {}), 409, 'exemption_invalid_state');
      await publishEntries(h.sys.dataSource, ExemptionMother.many(2), h.clock.now);
      await refused(() => office.post('/exemptions/publish', {}), 409, 'exemption_invalid_state');
      const v = await publishNow({ confirmUnchanged: true });
      expect(v).to.deep.include({ number: 2, added: 0, changed: 0, cancelled: 0, entryCount: 2 });
    });

    it('import while applications are open', async () => {
      await applied(rsj, ExemptionMother.addBody());
      const file = await ExemptionMother.workbook([ExemptionMother.row(ExemptionMother.entry())]);
      await refused(() => office.post('/exemptions/import', file), 409, 'exemption_conflict');
      await refused(() => office.post('/exemptions/import', Buffer.from('not a workbook')), 422, 'exemption_import_invalid');
      await refused(() => rsj.post('/exemptions/import', file), 403, 'forbidden');
    });
  });

  describe('xlsx import and export (the README list format)', () => {
    it('loads the county list, publishes it, exports it, and a re-import of the export changes nothing', async () => {
      const entries = ExemptionMother.many(5);
      const file = await ExemptionMother.workbook(entries.map((e) => ExemptionMother.row(e)), { titleRow: '某县证明事项免提交清单' });
      const res = await office.post('/exemptions/import', file);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.deep.equal({ total: 5, added: 5, changed: 0, cancelled: 0, unchanged: 0 });
      await publishNow();
      const exp = await pub.get('/exemptions/versions/1/export');
      expect(exp.status).to.equal(200);
      expect(exp.headers.get('content-type')).to.include('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(exp.raw as unknown as ArrayBuffer);
      const ws = wb.worksheets[0];
      expect(ws.getRow(1).values).to.deep.equal([undefined, '编号', '政务服务事项', '证明材料', '索要单位编码', '出具单位编码', '免提交方式', '设定依据', '默认核验类别', '索要单位名称', '出具单位名称']);
      expect(ws.getRow(2).getCell(6).value).to.equal('部门核验');
      expect(ws.getRow(2).getCell(9).value).to.equal('县人社局');
      expect(ws.getRow(2).getCell(10).value).to.equal('县公安局');
      expect(ws.rowCount).to.equal(6);

      const again = await office.post('/exemptions/import', exp.raw);
      expect(again.body).to.deep.equal({ total: 5, added: 0, changed: 0, cancelled: 0, unchanged: 5 });

      // edit one row, drop another, add one without id: ids stay stable
      const ids = (await h.sys.dataSource.getRepository(ExemptionEntry).find({ order: { id: 'ASC' } })).map((e) => e.id);
      ws.getRow(2).getCell(6).value = '数据共享';
      ws.spliceRows(3, 1);
      ws.addRow([null, '低保申请', '收入证明', 'RSJ', '县公安局', '告知承诺', '《社会救助暂行办法》', '']);
      const edited = Buffer.from(await wb.xlsx.writeBuffer());
      const r3 = await office.post('/exemptions/import', edited);
      expect(r3.body).to.deep.equal({ total: 5, added: 1, changed: 1, cancelled: 1, unchanged: 3 });
      const rows = await h.sys.dataSource.getRepository(ExemptionEntry).find({ order: { id: 'ASC' } });
      expect(rows.find((e) => e.id === ids[0])!.method).to.equal('sharing');
      expect(rows.find((e) => e.id === ids[1])!.status).to.equal('cancelled');
      expect(rows.find((e) => e.serviceItem === '低保申请')!.issuerUnit, 'a unit name is read as its code').to.equal('GAJ');
      const draft = (await office.get('/exemptions/draft/export')).raw;
      expect(draft.length).to.be.greaterThan(1000);
      // bad export numbers
      expect((await pub.get('/exemptions/versions/7/export')).status).to.equal(404);
    });
  });

  describe('public limits and comments (Art. 12)', () => {
    it('search is rate limited per client IP: 429 with Retry-After, others unaffected, then allowed again', async () => {
      const one = new Api(h.sys.url, null, '198.51.100.7');
      for (let i = 0; i < 60; i++) expect((await one.get('/exemptions?q=x')).status).to.equal(200);
      const over = await one.get('/exemptions?q=x');
      expect(over.status).to.equal(429);
      expect(over.body.error.code).to.equal('rate_limited');
      expect(Number(over.headers.get('retry-after'))).to.be.within(1, 60);
      expect((await one.get('/exemptions/versions')).status, 'versions share the limit').to.equal(429);
      expect((await new Api(h.sys.url, null, '198.51.100.8').get('/exemptions?q=x')).status).to.equal(200);
      h.clock.advance(2 * 60_000);
      expect((await one.get('/exemptions?q=x')).status).to.equal(200);
    });

    it('comments are stored for the office; bad ones refused; rate limited', async () => {
      const [e1] = await publishEntries(h.sys.dataSource, ExemptionMother.many(1), h.clock.now);
      const c = await pub.post('/exemptions/comments', { content: '户籍证明还在被要求提供', entryId: e1, name: '张小三', contact: '13800001234' });
      expect(c.status).to.equal(201);
      await refused(() => pub.post('/exemptions/comments', { content: '' }), 422, 'validation_failed');
      await refused(() => pub.post('/exemptions/comments', { content: 'x'.repeat(1001) }), 422, 'validation_failed');
      await refused(() => pub.post('/exemptions/comments', { content: '好', entryId: 999 }), 422, 'validation_failed');
      const list = await office.get('/exemptions/comments');
      expect(list.body.comments).to.have.length(1);
      expect(list.body.comments[0]).to.deep.include({ content: '户籍证明还在被要求提供', entryId: e1, status: 'new' });
      expect((await office.post(`/exemptions/comments/${c.body.id}/read`)).status).to.equal(204);
      expect((await h.sys.dataSource.getRepository(ExemptionComment).findOneByOrFail({ id: c.body.id })).status).to.equal('read');
      const one = new Api(h.sys.url, null, '198.51.100.20');
      for (let i = 0; i < 10; i++) expect((await one.post('/exemptions/comments', { content: `意见${i}` })).status).to.equal(201);
      await refused(() => one.post('/exemptions/comments', { content: '再来一条' }), 429, 'rate_limited');
    });
  });
});
