import { expect } from 'chai';
import { startHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { ExemptionApplication, OpenQuestion } from '../../entities';
import { getVerificationEntry, dueApplicationReminders } from '../../src/exemptions';
import { DirectoryMother } from '../helpers/mothers/directory';
import { ExemptionMother, exemptionUnits } from '../helpers/mothers/exemptions';
import { Api } from '../helpers/api';
import { cardsTo, mark, textsTo } from '../helpers/inbox';
import { publishEntries, seedDirectory } from '../helpers/seed';

const ADD_FORM = ['【新增事项】', '事项：失业保险金申领', '材料：户籍证明', '出具单位：县公安局', '方式：部门核验', '依据：《失业保险条例》第十六条', '类别：纸质档案', '原因：法律法规颁布或修订需增加证明材料', '起因日期：2026-11-25', '说明：人口库已可查询'].join('\n');

describe('exemption list in WeCom: apply from the chat, review from a card (SPEC 2 Art. 9-10)', () => {
  let h: Harness;
  let office: Api;
  let rsj: Api;
  let since = 0;
  const units = exemptionUnits();

  before(async () => {
    h = await startHarness({ members: [...DirectoryMother.members(units), { userid: 'visitor', name: '访客' }] });
  });
  after(async () => h.close());
  let test = 0;
  beforeEach(async () => {
    await h.reset();
    // each test in its own minutes: the emulator keeps WeCom's per-member 30/min limit across tests
    h.clock.set(new Date(Date.parse('2026-11-26T09:00:00+08:00') + test++ * 3 * 60_000));
    await seedDirectory(h.sys.dataSource, units);
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    since = mark(h);
  });

  async function say(userid: string, text: string) {
    await h.emu.sendText(userid, text);
    await h.sys.settle();
  }
  async function click(userid: string, taskId: string, key: string) {
    await h.emu.clickButton(userid, taskId, key);
    await h.sys.settle();
  }
  function lastCard(userid: string) {
    const cards = cardsTo(h, userid, since);
    expect(cards.length, `a card to ${userid}`).to.be.greaterThan(0);
    return cards[cards.length - 1];
  }
  function keys(card: any): string[] {
    return card.button_list.map((b: any) => b.key);
  }
  const apps = () => h.sys.dataSource.getRepository(ExemptionApplication).find({ order: { id: 'ASC' } });

  /** From "清单调整" to the confirmation card. */
  async function fillAdd(userid: string, form = ADD_FORM) {
    await say(userid, '清单调整');
    const start = lastCard(userid);
    expect(start.card.main_title.title).to.equal('证明事项清单调整申请');
    expect(keys(start.card)).to.deep.equal(['exm_start:0.add', 'exm_start:0.change', 'exm_start:0.cancel']);
    await click(userid, start.taskId, 'exm_start:0.add');
    expect(h.emu.cardState(userid, start.taskId)!.replace_name).to.equal('已选择：新增事项');
    expect(textsTo(h, userid, since).join('\n')).to.include('【新增事项】').and.include('起因日期：YYYY-MM-DD');
    await say(userid, form);
    return lastCard(userid);
  }

  it('a liaison applies in the chat; an office member approves on the card; publish; search; the verification link', async () => {
    const confirm = await fillAdd('rsj.liaison');
    expect(confirm.card.main_title.title).to.equal('请确认清单调整申请');
    const shown = JSON.stringify(confirm.card);
    expect(shown).to.include('失业保险金申领').and.include('户籍证明').and.include('县公安局').and.include('部门核验').and.include('2026-12-04 17:30');
    expect(await apps(), 'nothing filed before submit').to.have.length(0);

    since = mark(h);
    await click('rsj.liaison', confirm.taskId, keys(confirm.card)[0]);
    const [a] = await apps();
    expect(a).to.deep.include({ status: 'pending', unitCode: 'RSJ', kind: 'add', submittedBy: 'rsj.liaison', issuerUnit: 'GAJ', method: 'verification', defaultCategory: 'paper', note: '人口库已可查询', late: false });
    expect(h.emu.cardState('rsj.liaison', confirm.taskId)!.replace_name).to.equal(`已提交·申请号${a.id}`);
    expect(textsTo(h, 'rsj.liaison', since).join('\n')).to.include(`申请号 ${a.id}`).and.include('不得要求申请人提交该证明');
    expect(await h.sys.dataSource.getRepository(OpenQuestion).count()).to.equal(0);

    const duty = lastCard('office.duty');
    const chief = lastCard('office.chief');
    expect(duty.taskId).to.equal(chief.taskId);
    expect(keys(chief.card)).to.have.length(3);
    since = mark(h);
    await click('office.chief', chief.taskId, keys(chief.card)[0]);
    const approved = (await apps())[0];
    expect(approved).to.deep.include({ status: 'approved', reviewedBy: 'office.chief' });
    expect(h.emu.cardState('office.chief', chief.taskId)!.replace_name).to.equal('已同意·王主任');
    expect(h.emu.cardState('office.duty', duty.taskId)!.replace_name).to.equal('已同意·王主任');
    const told = textsTo(h, 'rsj.liaison', since);
    expect(told, 'the liaison, who also submitted, is told once').to.have.length(1);
    expect(told[0]).to.include('审核结果：同意');
    expect(textsTo(h, 'office.chief', since).join('\n')).to.include(`申请号 ${a.id} 同意`);

    expect((await office.post('/exemptions/publish', {})).status).to.equal(201);
    const pub = new Api(h.sys.url, null);
    const found = await pub.get(`/exemptions?q=${encodeURIComponent('户籍')}`);
    expect(found.body.items.map((x: any) => x.id)).to.deep.equal([approved.entryId]);
    expect(await getVerificationEntry(h.sys.dataSource.manager, approved.entryId!)).to.deep.include({ issuerUnit: 'GAJ', defaultCategory: 'paper' });
  });

  it('return on the card asks for the reason in the chat; the unit resubmits; the new round is approved', async () => {
    const created = await rsj.post('/exemptions/applications', ExemptionMother.addBody());
    await h.sys.settle();
    const card = lastCard('office.duty');
    since = mark(h);
    await click('office.duty', card.taskId, keys(card.card)[1]);
    expect(textsTo(h, 'office.duty', since).join('\n')).to.include('请输入退回修改的理由');
    expect((await apps())[0].status, 'nothing decided before the reason').to.equal('pending');

    // "取消" abandons; the card still works
    await say('office.duty', '取消');
    expect(textsTo(h, 'office.duty', since).join('\n')).to.include('已放弃本次审核');
    await click('office.duty', card.taskId, keys(card.card)[1]);
    expect(textsTo(h, 'office.duty', since).filter((t) => t.includes('请输入退回修改的理由')), 'the same question again is not dropped as a duplicate').to.have.length(2);
    since = mark(h);
    await say('office.duty', '请补充法律依据的具体条款');
    const returned = (await apps())[0];
    expect(returned).to.deep.include({ status: 'returned', reviewComment: '请补充法律依据的具体条款', reviewedBy: 'office.duty' });
    expect(h.emu.cardState('office.chief', card.taskId)!.replace_name).to.equal('已退回修改·办公室值班');
    expect(textsTo(h, 'rsj.liaison', since).join('\n')).to.include('退回修改').and.include('请补充法律依据的具体条款').and.include('请修改后重新提交');

    h.clock.advance(60_000);
    since = mark(h);
    const re = await rsj.post(`/exemptions/applications/${created.body.id}/resubmit`, { legalBasis: '《失业保险条例》第十六条第二款' });
    expect(re.status).to.equal(200);
    await h.sys.settle();
    const round2 = lastCard('office.chief');
    expect(round2.taskId).to.not.equal(card.taskId);
    await click('office.chief', round2.taskId, keys(round2.card)[0]);
    expect((await apps())[0].status).to.equal('approved');
  });

  it('a decision through the API greys every office member\'s card', async () => {
    await rsj.post('/exemptions/applications', ExemptionMother.addBody());
    await h.sys.settle();
    const card = lastCard('office.duty');
    const [a] = await apps();
    const res = await office.post(`/exemptions/applications/${a.id}/review`, { decision: 'reject', comment: '不属于证明事项' });
    expect(res.body.status).to.equal('rejected');
    await h.sys.settle();
    expect(h.emu.cardState('office.duty', card.taskId)!.replace_name).to.equal('已不同意·联席会议办公室');
  });

  it('form mistakes are answered in the chat and nothing is filed; a stranger cannot apply', async () => {
    await fillAdd('rsj.liaison', ADD_FORM.replace('方式：部门核验', '方式：快递').replace('出具单位：县公安局', '出具单位：县气象局'));
    const said = textsTo(h, 'rsj.liaison', since).join('\n');
    expect(said).to.include('“方式”应为').and.include('找不到单位“县气象局”');
    // a corrected form goes through
    await say('rsj.liaison', ADD_FORM);
    expect(lastCard('rsj.liaison').card.main_title.title).to.equal('请确认清单调整申请');
    await say('rsj.liaison', '取消');
    expect(await h.sys.dataSource.getRepository(OpenQuestion).count()).to.equal(0);
    expect(await apps()).to.have.length(0);

    since = mark(h);
    await say('visitor', '清单调整');
    expect(textsTo(h, 'visitor', since).join('\n')).to.include('不在通讯录中');
    expect(cardsTo(h, 'visitor', since)).to.have.length(0);
  });

  it('a conflict found at submit is explained; the chat stays at the form; nothing is filed by the chat', async () => {
    const confirm = await fillAdd('rsj.liaison');
    // meanwhile the same item is applied for through the API
    expect((await rsj.post('/exemptions/applications', ExemptionMother.addBody())).status).to.equal(201);
    since = mark(h);
    await click('rsj.liaison', confirm.taskId, keys(confirm.card)[0]);
    expect(textsTo(h, 'rsj.liaison', since).join('\n')).to.include('申请未能提交').and.include('尚未办结的申请');
    expect(h.emu.cardState('rsj.liaison', confirm.taskId)!.replace_name).to.equal('未提交');
    expect(await apps()).to.have.length(1);
    expect((await h.sys.dataSource.getRepository(OpenQuestion).findOneByOrFail({ userid: 'rsj.liaison' })).kind).to.equal('apply_form');
  });

  it('a recorded cause: the liaison is reminded before the 7 working days end and applies from the reminder card', async () => {
    const cause = await office.post('/exemptions/causes', { unitCode: 'RSJ', causeDate: '2026-11-25', note: '《失业保险条例》修订' });
    expect(cause.status, JSON.stringify(cause.body)).to.equal(201);
    expect(cause.body).to.deep.include({ status: 'draft', dueAt: '2026-12-04T17:30:00+08:00' });
    const ds = h.sys.dataSource;
    const [e1] = await publishEntries(ds, ExemptionMother.many(1), h.clock.now);
    expect(await dueApplicationReminders(ds, new Date('2026-12-03T08:29:00+08:00'))).to.deep.equal([]);
    const due = await dueApplicationReminders(ds, new Date('2026-12-03T08:30:00+08:00'));
    expect(due).to.deep.equal([{ applicationId: cause.body.id, unitCode: 'RSJ', causeDate: '2026-11-25', dueAt: '2026-12-04T09:30:00.000Z', recipients: ['rsj.liaison'], outcome: 'reminded' }]);
    expect(await dueApplicationReminders(ds, new Date('2026-12-03T09:30:00+08:00')), 'once').to.deep.equal([]);
    h.clock.set('2026-12-03T08:30:00+08:00');
    await h.sys.settle();
    const reminder = lastCard('rsj.liaison');
    expect(reminder.card.main_title.title).to.equal('清单调整申请即将到期');
    expect(reminder.card.sub_title_text).to.include('2026-12-04 17:30').and.include('《失业保险条例》修订');
    await click('rsj.liaison', reminder.taskId, `exm_start:${cause.body.id}.cancel`);
    // the cause date is known: the form needs no date
    await say('rsj.liaison', `条目编号：${e1}\n依据：《国务院关于取消一批行政许可事项的决定》\n原因：法律法规颁布、修订或废止需取消事项`);
    const confirm = lastCard('rsj.liaison');
    await click('rsj.liaison', confirm.taskId, keys(confirm.card)[0]);
    const [a] = await apps();
    expect(a).to.deep.include({ id: cause.body.id, status: 'pending', kind: 'cancel', entryId: e1, causeDate: '2026-11-25', late: false });
  });
});
