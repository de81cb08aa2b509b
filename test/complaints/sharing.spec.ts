/**
 * 投诉举报办法 Art. 12: each receiver gets, once a month, a masked summary of what the other
 * receivers received; the office gets the analysis of frequent or serious issues and records
 * the measures it proposes.
 */
import { expect } from 'chai';
import { SHARING } from '../../src/complaints/lifecycle-messages';
import { receiverOf, sharingSummary } from '../../src/complaints/sharing.job';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { KfHarness, startKfHarness } from '../helpers/kf';
import { sweep } from '../helpers/scheduler';

describe('complaints: information sharing and analysis (Art. 12)', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  const FACTS = ['窗口要求到村里开具居住证明才给办社保转移。', '办理退休手续时又被要求提供居住证明，清单写明已免提交。', '11月办失业登记，工作人员让我去社区开居住证明。'];

  async function november(): Promise<void> {
    for (const [i, facts] of FACTS.entries()) {
      const res = await kh.office.post('/complaints', ComplaintMother.hotline({ phone: `1390000000${i}`, name: `王${i}五`, facts }));
      expect(res.status).to.equal(201);
    }
    // An agency is a receiver too (Art. 3): 县公安局 received one about 人社局.
    const res = await kh.office.post('/complaints', ComplaintMother.letter({ agencyCode: 'HRSS', receivedBy: '县公安局', phone: '13700000000', facts: '在公安局窗口听说人社局要求开无犯罪记录证明，特此反映。' }));
    expect(res.status).to.equal(201);
    await kh.settle();
  }

  const texts = (user: string) => kh.delivered({ touser: user, msgtype: 'text' }).map((d) => String(d.payload.content));
  const sharingJob = () => kh.h.sys.jobs.filter((j) => j.name === 'complaint-sharing');

  it('names the receiver of a complaint by who registered it, else by its channel', () => {
    expect(receiverOf({ channel: 'hotline_12345', receivedBy: '12345热线中心' })).to.equal('12345热线中心');
    expect(receiverOf({ channel: 'ministry_platform', receivedBy: '' })).to.equal(SHARING.channelReceiver.ministry_platform);
    expect(receiverOf({ channel: 'kf', receivedBy: 'kf:wkABC' })).to.equal(SHARING.channelReceiver.kf);
    expect(sharingSummary({ code: 'PSB', name: '县公安局' }, '2026-11', [{ channel: 'letter', receivedBy: '县公安局', ground: 'other', agencyName: '县人力资源和社会保障局' }])).to.equal(null);
  });

  it('sends each receiver, once a month in office hours, what the others received, without personal data', async () => {
    await november();
    expect(await sweep(kh.h, '2026-12-01T07:00:00+08:00', sharingJob()), 'not before office hours').to.deep.equal([]);
    const lines = await sweep(kh.h, '2026-12-01T09:00:00+08:00', sharingJob());
    expect(lines.filter((l) => l.action === 'complaint_sharing').map((l) => l.unit)).to.deep.equal(['CIVIL', 'HRSS', 'MSA', 'PSB', 'PSB-TRAFFIC']);
    const psb = texts('psb.liaison');
    expect(psb).to.have.length(1);
    expect(psb[0]).to.contain('2026年11月').and.contain('共受理证明事项投诉举报3件').and.contain('12345热线中心 3件').and.not.contain('县公安局 1件');
    const hrss = texts('hrss.liaison');
    expect(hrss[0]).to.contain('共受理证明事项投诉举报4件').and.contain('县公安局 1件').and.contain('县人力资源和社会保障局 4件');
    for (const t of [...psb, ...hrss]) expect(t).not.to.match(/王\d五|李四|1390000000|13700000000|居住证明/);
    const office = texts('office.duty');
    expect(office).to.have.length(1);
    expect(office[0]).to.contain('【投诉举报分析】2026年11月共受理4件').and.contain('县人力资源和社会保障局 4件');

    // Exactly once: later sweeps of the month send nothing more.
    expect(await sweep(kh.h, '2026-12-01T09:01:00+08:00', sharingJob())).to.deep.equal([]);
    expect(await sweep(kh.h, '2026-12-15T10:00:00+08:00', sharingJob())).to.deep.equal([]);
    expect(texts('psb.liaison')).to.have.length(1);
    // December had nothing: January sends nothing.
    expect(await sweep(kh.h, '2027-01-05T10:00:00+08:00', sharingJob())).to.deep.equal([]);
  });

  it('gives the office the analysis by agency, ground and certificate, flags the frequent, and keeps its measures', async () => {
    await november();
    let res = await kh.office.get('/complaints/analysis?period=2026-11');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ period: '2026-11', total: 4, duplicates: 0, frequentThreshold: 3, measures: null });
    expect(res.body.byAgency[0]).to.include({ code: 'HRSS', count: 4, frequent: true, serious: false });
    expect(res.body.byGround).to.deep.equal([{ ground: 'still_requires_certificate', label: '仍要求提供证明（直接或变相）', count: 4, frequent: true }]);
    expect(res.body.byCertificate[0]).to.deep.equal({ certificate: '居住证明', count: 3, frequent: true });
    expect(res.body.flagged.map((f: any) => [f.dimension, f.key])).to.deep.equal([
      ['agency', 'HRSS'],
      ['ground', 'still_requires_certificate'],
      ['certificate', '居住证明'],
    ]);
    res = await kh.office.call('PUT', '/complaints/analysis/2026-11/measures', { measures: '督促县人社局清理居住证明要求，12月底前报告整改情况。' });
    expect(res.status).to.equal(200);
    expect(res.body.measures).to.deep.equal({ text: '督促县人社局清理居住证明要求，12月底前报告整改情况。', updatedBy: 'office:office', updatedAt: '2026-11-26T09:00:00+08:00' });
    expect((await kh.office.get('/complaints/analysis?period=2026')).body).to.include({ total: 4, frequentThreshold: 36, measures: null });

    expect((await kh.office.get('/complaints/analysis?period=2026-13')).status).to.equal(422);
    expect((await kh.office.call('PUT', '/complaints/analysis/2026-11/measures', {})).status).to.equal(422);
    const unit = await kh.unitKey('HRSS');
    expect((await unit.get('/complaints/analysis?period=2026-11')).status).to.equal(403);
    expect((await unit.call('PUT', '/complaints/analysis/2026-11/measures', { measures: '无' })).status).to.equal(403);
    expect((await kh.office.get('/complaints/analysis?period=2026-11')).body.measures.text).to.contain('督促县人社局');
  });
});
