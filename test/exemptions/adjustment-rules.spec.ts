import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { AccountabilityCase, ExemptionApplication } from '../../entities';
import { ExemptionMother, exemptionUnits } from '../helpers/mothers/exemptions';
import { Api } from '../helpers/api';
import { listApis, listState } from '../helpers/exemptions';
import { publishEntries } from '../helpers/seed';

describe('exemption adjustments by the rule book: reasons, legal basis, lateness (SPEC 2 Art. 3, 6-9)', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;
  const env = directoryHarness(exemptionUnits());
  beforeEach(async () => {
    h = env.h;
    ({ office, rsj } = await listApis(h));
  });

  /** Every row of the list and accountability tables plus the outbox: equal before and after = nothing changed. */
  async function state(): Promise<string> {
    const cases = await h.sys.dataSource.query('SELECT * FROM accountability_cases ORDER BY 1');
    return `${await listState(h.sys.dataSource)}${JSON.stringify(cases)}`;
  }

  async function refused(call: () => Promise<{ status: number; body: any }>, status: number, code: string, message?: RegExp) {
    const before = await state();
    const res = await call();
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.error.code).to.equal(code);
    if (message) expect(res.body.error.message).to.match(message);
    await h.sys.settle();
    expect(await state(), 'nothing changed').to.equal(before);
    return res.body.error;
  }

  async function applied(body: object) {
    const res = await rsj.post('/exemptions/applications', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  it('a reason code from another kind of adjustment is refused and changes nothing', async () => {
    const [e1] = await publishEntries(h.sys.dataSource, ExemptionMother.many(1), h.clock.now);
    await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ reason: 'unit_changed' })), 422, 'validation_failed', /reason: for add one of law_requires/);
    await refused(() => rsj.post('/exemptions/applications', ExemptionMother.changeBody(e1, { reason: 'law_requires' })), 422, 'validation_failed', /reason/);
    await refused(() => rsj.post('/exemptions/applications', ExemptionMother.cancelBody(e1, { reason: 'method_changed' })), 422, 'validation_failed', /reason/);
    // the codes the list used before Art. 6-8 were followed
    await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ reason: 'data_sharing_available' })), 422, 'validation_failed', /reason/);
    // shared codes are accepted by each kind that lists them
    expect((await applied(ExemptionMother.cancelBody(e1, { reason: 'function_change' }))).reason).to.equal('function_change');
  });

  it('"other" without a written explanation is refused and changes nothing; with one it is filed', async () => {
    await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ reason: 'other' })), 422, 'validation_failed', /note/);
    await refused(() => rsj.post('/exemptions/applications', ExemptionMother.addBody({ reason: 'other', note: '   ' })), 422, 'validation_failed', /note/);
    const a = await applied(ExemptionMother.addBody({ reason: 'other', note: '县政府专题会议要求纳入清单' }));
    expect(a).to.deep.include({ reason: 'other', note: '县政府专题会议要求纳入清单', status: 'pending' });
  });

  it('Art. 3: a certificate is added, changed or cancelled only with a legal basis; a change of method alone needs none', async () => {
    const [e1] = await publishEntries(h.sys.dataSource, ExemptionMother.many(1), h.clock.now);
    await refused(() => rsj.post('/exemptions/applications', { ...ExemptionMother.cancelBody(e1), legalBasis: undefined }), 422, 'validation_failed', /legalBasis/);
    await refused(() => rsj.post('/exemptions/applications', ExemptionMother.changeBody(e1, { reason: 'certificate_changed', method: undefined, certificate: '户口簿' })), 422, 'validation_failed', /legalBasis/);
    // method_changed that also renames the certificate is a certificate change
    await refused(() => rsj.post('/exemptions/applications', ExemptionMother.changeBody(e1, { certificate: '户口簿' })), 422, 'validation_failed', /legalBasis/);
    const m = await applied(ExemptionMother.changeBody(e1));
    expect(m).to.deep.include({ reason: 'method_changed', fields: { method: 'sharing' } });
    await office.post(`/exemptions/applications/${m.id}/withdraw`);
    // a certificate change with the entry's own basis keeps the basis it relies on
    const entry = (await rsj.get(`/exemptions/entries/${e1}`)).body;
    const c = await applied(ExemptionMother.changeBody(e1, { reason: 'certificate_changed', method: undefined, certificate: '户口簿', legalBasis: entry.legalBasis }));
    expect(c.fields).to.deep.equal({ certificate: '户口簿', legalBasis: entry.legalBasis });
    const approved = await office.post(`/exemptions/applications/${c.id}/review`, { decision: 'approve' });
    expect(approved.status).to.equal(200);
    expect((await rsj.get(`/exemptions/entries/${e1}`)).body).to.deep.include({ certificate: '户口簿', legalBasis: entry.legalBasis });
  });

  it('Art. 9: a late application is accepted and flagged, counted per unit, and the office may open a case from it', async () => {
    // cause on 11-02: the 7 working days ended 11-11; today is 11-26
    const late = await applied(ExemptionMother.addBody({ causeDate: '2026-11-02' }));
    expect(late.late).to.equal(true);
    const onTime = await applied(ExemptionMother.addBody({ causeDate: '2026-11-25', serviceItem: '低保申请' }));
    expect(onTime.late).to.equal(false);

    const stats = await office.get('/stats/verifications?from=2026-11-26&to=2026-11-26');
    expect(stats.status).to.equal(200);
    expect(stats.body.lateApplications).to.deep.equal([{ unit: 'RSJ', name: '县人社局', late: 1 }]);
    expect((await rsj.get('/stats/verifications?from=2026-11-26&to=2026-11-26')).body.lateApplications).to.deep.equal([{ unit: 'RSJ', name: '县人社局', late: 1 }]);
    expect((await office.get('/stats/verifications?from=2026-11-27&to=2026-11-27')).body.lateApplications).to.deep.equal([]);

    await refused(() => office.post(`/accountability/cases/from-application/${onTime.id}`, {}), 422, 'validation_failed', /not late/);
    await refused(() => rsj.post(`/accountability/cases/from-application/${late.id}`, {}), 403, 'forbidden');
    await refused(() => office.post('/accountability/cases/from-application/9999', {}), 404, 'exemption_not_found');
    await refused(() => office.post(`/accountability/cases/from-application/${late.id}`, { ground: 'late_filing' }), 422, 'validation_failed');
    const opened = await office.post(`/accountability/cases/from-application/${late.id}`, { text: '逾期申请调整清单', employment: 'hired' });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    expect(opened.body).to.deep.include({ ground: 'unauthorised_change', groundLabel: '擅自变更证明事项办理方式（第四条第二项）', unit: 'RSJ', person: 'rsj.liaison', personRole: 'liaison', employment: 'hired', status: 'open' });
    expect(opened.body.facts.evidence).to.deep.equal({ applications: [late.id], text: '逾期申请调整清单' });
    expect(opened.body.occurredAt).to.equal('2026-11-11T17:30:00+08:00');
    expect(opened.body.events.map((e: any) => [e.type, e.actor])).to.deep.equal([['opened', 'api:office-console']]);
    await refused(() => office.post(`/accountability/cases/from-application/${late.id}`, {}), 409, 'accountability_conflict');
    const listed = await office.get('/accountability/cases?unit=RSJ');
    expect(listed.body.cases.map((c: any) => [c.id, c.ground])).to.deep.equal([[opened.body.id, 'unauthorised_change']]);
    expect(await h.sys.dataSource.getRepository(ExemptionApplication).count()).to.equal(2);
  });

  describe('POST /api/v1/accountability/cases (SPEC 4 Art. 2, 4)', () => {
    it('the office opens a case on any Art. 4 ground, naming unit, person and employment, with evidence', async () => {
      const a = await applied(ExemptionMother.addBody());
      const grounds = ['unauthorised_certificate', 'unauthorised_change', 'verification_late', 'falsification', 'commitment_unchecked', 'other_serious'];
      const ids: number[] = [];
      for (const ground of grounds) {
        const res = await office.post('/accountability/cases', { ground, unit: 'GAJ', person: 'gaj.a', employment: 'seconded', evidence: { applications: [a.id], text: `依据${ground}立案` } });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(res.body).to.deep.include({ ground, unit: 'GAJ', person: 'gaj.a', personRole: 'named', employment: 'seconded', status: 'open' });
        expect(res.body.groundLabel).to.match(/第四条第[一二三四五六]项/);
        expect(res.body.facts.evidence).to.deep.equal({ applications: [a.id], text: `依据${ground}立案` });
        ids.push(res.body.id);
      }
      const unitOnly = await office.post('/accountability/cases', { ground: 'other_serious', unit: 'SCJ', evidence: { text: '群众反映多次被要求提供证明' } });
      expect(unitOnly.body).to.deep.include({ unit: 'SCJ', person: null, employment: null });
      const byPerson = await office.get('/accountability/cases?person=gaj.a');
      expect(byPerson.body.cases.map((c: any) => c.id).sort((x: number, y: number) => x - y)).to.deep.equal(ids);
      const one = await office.get(`/accountability/cases/${ids[0]}`);
      expect(one.body.events.map((e: any) => e.type)).to.deep.equal(['opened']);
      const cases = await h.sys.dataSource.getRepository(AccountabilityCase).find();
      expect(cases.map((c) => c.employment).filter(Boolean)).to.have.length(6);
    });

    it('a ground outside Art. 4, unknown people, units or records, and unit keys are refused and change nothing', async () => {
      const ok = { ground: 'falsification', unit: 'GAJ', person: 'gaj.a', evidence: { text: '核验记录与档案不符' } };
      await refused(() => office.post('/accountability/cases', { ...ok, ground: 'late_reply' }), 422, 'validation_failed', /ground/);
      await refused(() => office.post('/accountability/cases', { ...ok, ground: 'verification_overdue' }), 422, 'validation_failed', /ground/);
      await refused(() => office.post('/accountability/cases', { ...ok, unit: 'NOPE' }), 422, 'unit_unknown');
      await refused(() => office.post('/accountability/cases', { ...ok, person: 'nobody' }), 422, 'staff_unknown');
      await refused(() => office.post('/accountability/cases', { ...ok, employment: 'intern' }), 422, 'validation_failed');
      await refused(() => office.post('/accountability/cases', { ground: 'falsification', unit: 'GAJ', employment: 'hired', evidence: { text: 'x' } }), 422, 'validation_failed', /employment/);
      await refused(() => office.post('/accountability/cases', { ...ok, evidence: {} }), 422, 'validation_failed');
      await refused(() => office.post('/accountability/cases', { ...ok, evidence: { requests: [4242] } }), 422, 'validation_failed', /evidence.requests/);
      await refused(() => office.post('/accountability/cases', { ...ok, evidence: { complaints: [4242] } }), 422, 'validation_failed', /evidence.complaints/);
      await refused(() => rsj.post('/accountability/cases', ok), 403, 'forbidden');
    });
  });
});
