/**
 * The conversation as citizens actually write it: every line they typed, as they typed it,
 * through the pure state machine. None of them is answered with 没能看懂 or 没有对应的选项.
 */
import { expect } from 'chai';
import { T, GROUND_LABELS } from '../../src/complaints/messages';
import { CaseRef } from '../../src/complaints/flow';
import { ContextMother, Conversation, DraftMother, MINUTE, StateMother } from '../helpers/mothers/complaint-flow';

const NOT_UNDERSTOOD = [T.welcomeConfused, '没有对应的选项', '格式不对', '看不懂表情'];

function fresh(ctx = ContextMother.county()): Conversation {
  return new Conversation(ctx, StateMother.idle());
}

function expectUnderstood(c: Conversation): void {
  for (const bad of NOT_UNDERSTOOD) expect(c.seen, bad).not.to.include(bad);
}

const ELDERLY =
  '你好，我叫王秀英，今年七十二了，电话13805331234。上个月25号我去人社局办养老保险待遇领取，窗口的人说要我回村里开一个居住证明，还要盖章，' +
  '我腿脚不好来回跑了三趟，你们说过不用开证明了，为什么还让我开？';

describe('complaints/flow: whole sentences at the menu', () => {
  it('"我要投诉人社局": a complaint against the agency named, asked only what is missing', () => {
    const c = fresh();
    c.say('我要投诉人社局');
    expectUnderstood(c);
    expect(c.stage).to.equal('ground');
    expect(c.state?.draft).to.include({ agencyCode: 'HRSS', agencyText: '县人力资源和社会保障局' });
    expect(c.seen).to.include(T.prefillAgency('县人力资源和社会保障局'));
  });

  it('"我的投诉怎么样了": the citizen\'s cases, no number needed', () => {
    const c = fresh();
    c.say('我的投诉怎么样了');
    expect(c.last.effects).to.deep.equal([{ kind: 'list_cases' }]);
    expectUnderstood(c);
  });

  it('"办低保还要不要开收入证明？": an exemption lookup, question words stripped, synonyms added', () => {
    const c = fresh();
    c.say('办低保还要不要开收入证明？');
    expect(c.stage).to.equal('exemption_q');
    const e = c.last.effects[0];
    expect(e.kind).to.equal('query_exemption');
    const terms = e.kind === 'query_exemption' ? (e.terms ?? []) : [];
    expect(terms).to.include('低保').and.include('收入证明').and.include('最低生活保障');
    expect(terms.join()).not.to.include('要不要');
    expectUnderstood(c);
  });

  it('a long first message with name, phone, agency and story is kept: the citizen only confirms', () => {
    const c = fresh();
    c.say(ELDERLY);
    expectUnderstood(c);
    const d = c.state!.draft;
    expect(d).to.include({ name: '王秀英', phone: '13805331234', agencyCode: 'HRSS', facts: ELDERLY, certificate: '居住证明' });
    expect(c.seen).to.include('已从您的消息中记下');
    // What is left: the ground, what she wants, and whether it is for herself.
    let turns = 1;
    if (c.stage === 'ground') {
      c.say('1');
      turns++;
    }
    expect(c.stage).to.equal('request');
    c.say('希望不用再开居住证明，直接给我办');
    c.say('我自己');
    turns += 2;
    expect(c.stage).to.equal('confirm');
    expect(c.seen).to.include('王秀英').and.include('13805331234').and.include('居住证明');
    const filed = c.say('对的');
    turns++;
    expect(turns).to.be.at.most(5);
    const e = filed.effects[0];
    expect(e.kind === 'file_complaint' && e.draft.facts).to.equal(ELDERLY);
    expect(e.kind === 'file_complaint' && e.draft.facts.startsWith('我刚才不是说了吗')).to.equal(false);
  });

  it('a numbered menu answer works at the menu too', () => {
    const c = fresh();
    c.say('1');
    expect(c.stage).to.equal('ground');
  });
});

describe('complaints/flow: ordinary answers to every choice', () => {
  it('"对的" and "嗯" at the summary submit', () => {
    for (const yes of ['对的', '嗯', '好', '是的', '可以']) {
      const c = Conversation.at('confirm');
      const r = c.say(yes);
      expect(r.effects.map((e) => e.kind), yes).to.deep.equal(['file_complaint']);
    }
  });

  it('"我自己" and "1" at step 7 are the citizen themself', () => {
    for (const self of ['我自己', '1', '本人啊']) {
      const c = Conversation.at('proxy');
      c.say(self);
      expect(c.stage, self).to.equal('confirm');
      expect(c.state?.draft.proxy, self).to.deep.equal({ isProxy: false });
      expectUnderstood(c);
    }
  });

  it('"继续吧" resumes a parked draft', () => {
    const c = Conversation.at('request');
    c.wait(31 * MINUTE).say('在吗');
    expect(c.state?.parkedAt).to.be.a('string');
    c.say('继续吧');
    expect(c.state?.parkedAt).to.equal(undefined);
    expect(c.stage).to.equal('request');
    expectUnderstood(c);
  });

  it('"帮我妈投的" at step 7: for someone else, and the relationship is kept; the principal\'s phone is asked', () => {
    const c = Conversation.at('proxy');
    c.say('帮我妈投的');
    expect(c.stage).to.equal('principal');
    expect(c.state?.draft.proxy).to.include({ isProxy: true, relationship: '母亲' });
    expect(c.seen).to.include(T.principalOf('母亲'));
    c.say('王秀英');
    expect(c.stage).to.equal('principal_phone');
    expect(c.seen).to.include(T.questions.principal_phone);
    c.say('她电话13905330000');
    expect(c.stage).to.equal('confirm');
    expect(c.seen).to.include('代他人投诉，当事人：王秀英（母亲），电话：13905330000');
    expectUnderstood(c);
  });

  it('"算了不投了" cancels at any question', () => {
    for (const st of ['ground', 'agency', 'facts', 'phone', 'proxy', 'confirm'] as const) {
      const c = Conversation.at(st);
      c.say('算了不投了');
      expect(c.stage, st).to.equal('idle');
      expect(c.seen, st).to.include(T.cancelled);
    }
  });

  it('a choice that fits nothing repeats the choices instead of 没有对应的选项', () => {
    const c = Conversation.at('proxy');
    c.say('这个怎么选');
    expect(c.seen).to.include('1. 本人').and.include('2. 代他人投诉');
    expectUnderstood(c);
  });

  it('"上一步" at the 您是指 suggestion goes back; the next sentence is not saved as the agency name', () => {
    const c = Conversation.at('agency');
    c.say('保障局');
    expect(c.stage).to.equal('agency_pick');
    c.say('返回上一步吧');
    expect(c.stage).to.equal('agency');
    c.say('他们窗口的人态度很差，我跑了好几趟都没办成');
    expect(c.stage).to.equal('agency');
    expect(c.state?.draft.agencyText).to.equal(undefined);
    expect(c.seen).to.include(T.questions.agency);
  });

  it('"补充一下，是11月28号…" in the edit step is added to the facts, which keep the certificate', () => {
    const c = Conversation.at('confirm');
    c.say('修改');
    expect(c.stage).to.equal('edit_pick');
    c.say('补充一下，是11月28号去的，窗口是3号窗口');
    expect(c.stage).to.equal('confirm');
    const d = c.state!.draft;
    expect(d.facts).to.include(DraftMother.complete().facts!).and.include('11月28号去的');
    expect(d.certificate).to.equal('居住证明');
    expect(c.seen).to.include(T.supplementAdded);
  });
});

describe('complaints/flow: agencies the directory does not know', () => {
  it('不动产登记中心 and 城关派出所 resolve through the alias table; 民政局 matches the directory', () => {
    const cases: Array<[string, string]> = [
      ['不动产登记中心', 'NR'],
      ['城关派出所', 'PSB'],
      ['民政局', 'CIVIL'],
    ];
    for (const [typed, code] of cases) {
      const c = Conversation.at('agency');
      c.say(typed);
      expect(c.stage, typed).to.equal('facts');
      expect(c.state?.draft.agencyCode, typed).to.equal(code);
    }
  });

  it('an office alias added to the table is used', () => {
    const c = new Conversation({ ...ContextMother.county(), aliases: { 大厅: '县行政审批服务局' } }, null);
    c.state = Conversation.at('agency').state;
    c.say('大厅');
    expect(c.state?.draft.agencyCode).to.equal('APPROVAL');
  });

  it('a URL is refused as a name', () => {
    const c = Conversation.at('agency');
    c.say('http://www.example.gov.cn/hrss');
    expect(c.stage).to.equal('agency');
    expect(c.state?.draft.agencyText).to.equal(undefined);
    expect(c.seen).to.include('不要发网址');
  });

  it('an unknown unit is kept as typed, and the citizen is told the office will assign it', () => {
    const c = Conversation.at('agency');
    c.say('城关镇便民服务站');
    expect(c.state?.draft).to.include({ agencyCode: null, agencyText: '城关镇便民服务站' });
    expect(c.seen).to.include('联席会议办公室会确认由哪个单位办理');
  });
});

describe('complaints/flow: after filing', () => {
  const closed: CaseRef = { number: 'TS20261120-0001', status: 'resolved', agencyName: '县自然资源局', closedAt: '2026-11-25T08:00:00.000Z' };
  const open: CaseRef = { number: 'TS20261125-0002', status: 'accepted', agencyName: '县人力资源和社会保障局', due: '2026-12-02 17:30' };

  it('"不满意，根本没给我办" after a result is recorded as dissatisfaction and goes to the office', () => {
    const c = fresh({ ...ContextMother.county(), cases: [closed] });
    c.say('不满意，根本没给我办');
    expect(c.last.effects).to.deep.equal([{ kind: 'case_message', number: closed.number, text: '不满意，根本没给我办', dissatisfied: true }]);
    expect(c.seen).to.include(T.dissatisfiedRecorded(closed.number));
    expectUnderstood(c);
  });

  it('"我补充一下，是县医院…" is attached to the open case', () => {
    const c = fresh({ ...ContextMother.county(), cases: [open, closed] });
    c.say('我补充一下，是县医院的证明，他们不给开');
    expect(c.last.effects).to.deep.equal([{ kind: 'case_message', number: open.number, text: '是县医院的证明，他们不给开', dissatisfied: false }]);
    expect(c.seen).to.include(T.caseMessageAdded(open.number));
  });

  it('"不记得了，就是前几天投诉不动产那个" lists the cases', () => {
    const c = fresh({ ...ContextMother.county(), cases: [closed] });
    c.say('查询进度');
    c.send({ type: 'effect_result', kind: 'list_cases', cases: [closed] });
    c.say('不记得了，就是前几天投诉不动产那个');
    expect(c.last.effects.map((e) => e.kind)).to.deep.equal(['list_cases']);
    expectUnderstood(c);
  });

  it('a duplicate is told "merged into …" before the new number', () => {
    const c = Conversation.at('confirm');
    c.say('确认');
    c.send({ type: 'effect_result', kind: 'file_complaint', ok: true, number: 'TS20261126-0007', mergedInto: 'TS20261125-0002' });
    const said = c.seen;
    expect(said).to.equal(T.registeredMerged('TS20261126-0007', 'TS20261125-0002'));
    expect(said.indexOf('TS20261125-0002')).to.be.lessThan(said.indexOf('TS20261126-0007'));
  });
});

describe('complaints/flow: exemption lookup', () => {
  it('"失业金" finds 失业保险金; with no list published it says so; the lookup stays open', () => {
    const c = fresh();
    c.say('查询是否需要证明');
    c.say('失业金');
    const e = c.last.effects[0];
    expect(e.kind === 'query_exemption' && e.terms).to.include('失业保险金');
    c.send({ type: 'effect_result', kind: 'query_exemption', items: [], published: false });
    expect(c.seen).to.include('清单尚未发布，查不到不代表需要提供');
    expect(c.seen).not.to.include('没有查到');
    expect(c.stage).to.equal('exemption_q');
    c.say('无犯罪记录证明');
    expect(c.last.effects[0].kind).to.equal('query_exemption');
  });

  it('"我要投诉" from a result pre-fills ground, agency and certificate', () => {
    const c = fresh();
    c.say('查询是否需要证明 居住证明');
    c.send({
      type: 'effect_result',
      kind: 'query_exemption',
      items: [{ serviceItem: '社保关系转移', certificate: '居住证明', method: 'sharing', handlingUnit: { code: 'HRSS', name: '县人力资源和社会保障局' } }],
    });
    c.say('我要投诉');
    const d = c.state!.draft;
    expect(d).to.include({ ground: 'ignores_exemption_list', agencyCode: 'HRSS', certificate: '居住证明' });
    expect(c.stage).to.equal('facts');
  });
});

describe('complaints/flow: prompts fit the case', () => {
  it('ground 4 does not ask what they asked you to provide', () => {
    const c = Conversation.at('ground');
    c.say('4');
    c.say('派出所');
    expect(c.stage).to.equal('facts');
    expect(c.seen).to.include(T.factsRefused).and.not.include('对方要求您提供了什么');
    expect(c.state?.draft.ground).to.equal('refuses_certificate_outside_county');
    expect(GROUND_LABELS.refuses_certificate_outside_county).to.be.a('string');
  });

  it('the certificate is asked for on its own when the story does not name it', () => {
    const c = Conversation.at('facts');
    c.say('11月20日我去办社保转移，窗口让我回去开个东西再来');
    expect(c.stage).to.equal('certificate');
    c.say('他们说要无犯罪记录证明');
    expect(c.state?.draft.certificate).to.equal('无犯罪记录证明');
    expect(c.stage).to.equal('request');
  });
});

describe('complaints/flow: input errors say what to do', () => {
  it('an 18-digit ID number at the phone step is recognised as an ID number', () => {
    const c = Conversation.at('phone');
    c.say('370323195203151234');
    expect(c.seen).to.include(T.phoneIdNumber);
    expect(c.stage).to.equal('phone');
    expectUnderstood(c);
  });

  it('"电话：138…" yields the number; the question says why a phone is needed', () => {
    const c = Conversation.at('name');
    c.say('张三');
    expect(c.seen).to.include(T.phoneWhy);
    c.say('电话：138 0533 1234');
    expect(c.state?.draft.phone).to.equal('13805331234');
    expect(c.stage).to.equal('proxy');
  });

  it('a 2,000-character story keeps its first 1,000 characters and asks about the rest', () => {
    const c = Conversation.at('facts');
    const story = '窗口要求我开居住证明。'.repeat(200);
    c.say(story);
    expect(c.stage).to.equal('facts_rest');
    expect(Array.from(c.state!.draft.facts!).length).to.be.at.most(1000);
    expect(c.seen).to.include('已保留前');
    c.say('嗯');
    expect(c.state?.draft.facts).to.include(T.factsSecondPart);
    expect(c.state?.draft.facts!.replace(`\n${T.factsSecondPart}`, '')).to.equal(story);
  });

  it('"???" is not called an emoji', () => {
    const c = Conversation.at('facts');
    c.say('???');
    expect(c.seen).to.include(T.problems.punctuation_only).and.not.include('表情');
    const idle = fresh();
    idle.say('???');
    expect(idle.seen).not.to.include('表情');
  });
});

describe('complaints/flow: a human, honestly', () => {
  it('人工服务 names the office hours and phone and passes the next messages on', () => {
    const c = fresh({ ...ContextMother.county(), office: { channel: true, phone: '0533-3141234', hours: '工作日8:30-17:30' } });
    c.say('人工服务');
    expect(c.seen).to.include('0533-3141234').and.include('工作日8:30-17:30');
    c.say('我的事情是这样的');
    expect(c.last.effects).to.deep.equal([{ kind: 'forward', text: '我的事情是这样的' }]);
  });

  it('with no office channel it does not promise a human and offers 12345', () => {
    const c = fresh(ContextMother.noOffice());
    c.say('人工服务');
    expect(c.last.effects).to.deep.equal([]);
    expect(c.seen).to.include('12345').and.include('0533-3141234').and.not.include('已为您转接');
    expect(c.stage).to.equal('idle');
  });
});
