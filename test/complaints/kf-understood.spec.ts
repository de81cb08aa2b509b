/**
 * Whole conversations as citizens write them, over the WeCom emulator's kf: a long first
 * message, a son filing for his mother, a status question without a number; and what the
 * office sees (worklist, alias and synonym tables).
 */
import { expect } from 'chai';
import { CitizenRequest, Complaint } from '../../entities';
import { T } from '../../src/complaints/messages';
import { complaintByNumber, eventsOf, fileByChat, KfHarness, startKfHarness } from '../helpers/kf';

const ELDERLY =
  '你好，我叫王秀英，今年七十二了，电话13805331234。上个月25号我去人社局办养老保险待遇领取，窗口的人说要我回村里开一个居住证明，还要盖章，' +
  '我腿脚不好来回跑了三趟，你们说过不用开证明了，为什么还让我开？';

describe('complaints: citizens understood, over WeChat Customer Service', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(async () => kh.close());
  beforeEach(async () => kh.reset());

  it('the elderly woman: everything in the first message, registered in five turns without typing it again', async () => {
    const u = 'wmWangXY';
    let r = await kh.say(u, ELDERLY);
    let turns = 1;
    expect(r[0]).to.contain('已从您的消息中记下').and.not.contain(T.welcomeConfused);
    if (r[0].includes(T.questions.ground)) {
      r = await kh.say(u, '1');
      turns++;
    }
    expect(r[0]).to.contain(T.questions.request);
    r = await kh.say(u, '希望不用再开居住证明，直接给我办');
    r = await kh.say(u, '我自己');
    expect(r[0]).to.contain('王秀英').and.contain('13805331234').and.contain('居住证明');
    r = await kh.say(u, '对的');
    turns += 3;
    expect(turns).to.be.at.most(5);
    const number = /编号：(TS\d{8}-\d{4})/.exec(r.join('\n'))?.[1] as string;
    expect(number).to.be.a('string');
    const c = await complaintByNumber(kh.h.sys.dataSource, number);
    expect(c).to.include({ complainantName: '王秀英', complainantPhone: '13805331234', agencyCode: 'HRSS', facts: ELDERLY, certificate: '居住证明', isProxy: false });
  });

  it('the son files for his mother: relationship and her phone recorded, the alias names the agency', async () => {
    const u = 'wmSon';
    let r = await kh.say(u, '帮我妈投诉城关派出所，他们不给她开亲属关系证明，说外地用的不管');
    expect(r[0]).to.contain(T.prefillProxy('母亲')).and.contain('县公安局');
    expect(r[0]).to.contain(T.questions.ground);
    r = await kh.say(u, '4');
    expect(r[0]).to.contain(T.questions.request);
    await kh.say(u, '希望按规定给开证明');
    await kh.say(u, '李军');
    r = await kh.say(u, '电话：139 0533 1111');
    expect(r[0]).to.contain(T.principalOf('母亲'));
    r = await kh.say(u, '王秀英');
    expect(r[0]).to.contain(T.questions.principal_phone);
    r = await kh.say(u, '13905332222');
    expect(r[0]).to.contain('代他人投诉，当事人：王秀英（母亲），电话：13905332222');
    r = await kh.say(u, '确认');
    const number = /编号：(TS\d{8}-\d{4})/.exec(r.join('\n'))?.[1] as string;
    const c = await complaintByNumber(kh.h.sys.dataSource, number);
    expect(c).to.include({ agencyCode: 'PSB', isProxy: true, principalName: '王秀英', principalPhone: '13905332222', principalRelationship: '母亲', complainantPhone: '13905331111', ground: 'refuses_certificate_outside_county', certificate: '亲属关系证明' });
  });

  it('"我的投诉怎么样了" without a number lists the citizen\'s cases; "不满意" after a result reaches the office', async () => {
    const u = 'wmAsker';
    const number = await fileByChat(kh, u);
    const c = await complaintByNumber(kh.h.sys.dataSource, number);
    let r = await kh.say(u, '我的投诉怎么样了');
    expect(r[0]).to.contain(T.casesHead).and.contain(number).and.contain('县人力资源和社会保障局').and.contain(T.statusLabels.registered);
    expect(r[0]).not.to.contain(T.welcomeConfused);

    await kh.office.post(`/complaints/${c.id}/accept`);
    r = await kh.say(u, '我补充一下，是县医院的证明，他们也不给开');
    expect(r.at(-1)).to.contain(T.caseMessageAdded(number));
    await kh.office.post(`/complaints/${c.id}/resolve`, { result: '已纠正窗口做法。' });
    await kh.settle();
    r = await kh.say(u, '不满意，根本没给我办');
    expect(r.at(-1)).to.contain(T.dissatisfiedRecorded(number));
    const types = (await eventsOf(kh.h.sys.dataSource, c.id)).map((e) => e.type);
    expect(types).to.include('citizen_message').and.include('citizen_dissatisfied');
    const list = (await kh.office.get('/complaints/worklist')).body;
    expect(list.requests.map((q: { kind: string; complaint: string }) => [q.kind, q.complaint])).to.deep.include.members([
      ['message', number],
      ['dissatisfied', number],
    ]);
  });

  it('an agency the directory does not know goes to the office worklist at once; the office marks it done', async () => {
    const u = 'wmUnknownUnit';
    const number = await fileByChat(kh, u, { agency: '城关镇便民服务站' });
    const c = await complaintByNumber(kh.h.sys.dataSource, number);
    expect(c.agencyCode).to.equal(null);
    const list = (await kh.office.get('/complaints/worklist')).body;
    expect(list.unassigned.map((x: { number: string }) => x.number)).to.include(number);
    const item = list.requests.find((q: { kind: string }) => q.kind === 'agency_unmatched');
    expect(item).to.include({ complaint: number, text: '城关镇便民服务站' });
    expect((await kh.office.post(`/complaints/worklist/${item.id}/done`)).status).to.equal(200);
    expect(await kh.h.sys.dataSource.getRepository(CitizenRequest).countBy({ status: 'open', kind: 'agency_unmatched' })).to.equal(0);
    expect((await kh.office.post(`/complaints/${c.id}/assign`, { agencyCode: 'CIVIL' })).status).to.equal(200);
    expect((await kh.office.get('/complaints/worklist')).body.unassigned).to.deep.equal([]);
  });

  it('the office extends the alias and synonym tables through the API, and the chat uses them', async () => {
    const unit = await kh.unitKey('HRSS');
    expect((await unit.put('/complaints/aliases', { 大厅: '县民政局' })).status).to.equal(403);
    const put = await kh.office.put('/complaints/aliases', { 大厅: '县民政局' });
    expect(put.status).to.equal(200);
    expect(put.body.office).to.deep.equal({ 大厅: '县民政局' });
    expect(put.body.defaults.派出所).to.equal('县公安局');
    expect((await kh.office.put('/complaints/aliases', { 大厅: '' })).status).to.equal(422);
    const syn = await kh.office.put('/exemptions/synonyms', { 养老金: ['基本养老保险待遇'] });
    expect(syn.status).to.equal(200);
    expect((await kh.office.get('/exemptions/synonyms')).body.office).to.deep.equal({ 养老金: ['基本养老保险待遇'] });

    const u = 'wmAlias';
    await kh.say(u, '投诉举报', 'menu_complain');
    await kh.say(u, '1');
    const r = await kh.say(u, '大厅');
    expect(r[0]).to.contain('县民政局');
    expect((await kh.h.sys.dataSource.getRepository(Complaint).count())).to.equal(0);
  });

  it('"失业金" with no list published: says the list is not out yet, and stays in the lookup', async () => {
    const u = 'wmLookup';
    let r = await kh.say(u, '失业金还要开证明吗');
    expect(r.join('\n')).to.contain('清单尚未发布，查不到不代表需要提供');
    r = await kh.say(u, '低保');
    expect(r.join('\n')).to.contain('清单尚未发布');
  });
});
