import { expect } from 'chai';
import { ExemptionItem } from '../../src/complaints/flow';
import { T } from '../../src/complaints/messages';
import { ContextMother, Conversation, DraftMother, menuIds, StateMother } from '../helpers/mothers/complaint-flow';

function idle(): Conversation {
  const c = new Conversation(ContextMother.county(), StateMother.idle());
  c.send({ type: 'enter_session' });
  return c;
}

describe('complaints/flow: 查询进度', () => {
  it('asks for the number after the menu tap, then queries a valid one', () => {
    const c = idle();
    c.tap('menu_status');
    expect(c.seen).to.include(T.statusAsk);
    const r = c.say(' ts20261126-0003 ');
    expect(r.effects).to.deep.equal([{ kind: 'query_status', number: 'TS20261126-0003' }]);
    expect(r.replies).to.deep.equal([]);
    c.send({ type: 'effect_result', kind: 'query_status', found: true, status: 'accepted', summary: '已转县人社局办理' });
    expect(c.seen).to.include('TS20261126-0003').and.include('已受理').and.include('已转县人社局办理');
  });

  it('refuses a number in the wrong format without querying, and explains the format', () => {
    const c = idle();
    c.tap('menu_status');
    for (const bad of ['TS2026112-0003', '20261126-0003', 'TS20261126-00031', 'TS20261126']) {
      const r = c.say(bad);
      expect(r.effects, bad).to.deep.equal([]);
      expect(c.seen, bad).to.include(T.statusInvalid);
      expect(c.stage).to.equal('status_number');
    }
    expect(c.say('TS20261126-0004').effects).to.have.length(1);
  });

  it('takes the number in the same message as the words', () => {
    const c = idle();
    expect(c.say('查询进度 TS20261126-0003').effects).to.deep.equal([{ kind: 'query_status', number: 'TS20261126-0003' }]);
    const d = idle();
    d.say('查询进度 123');
    expect(d.last.effects).to.deep.equal([]);
    expect(d.seen).to.include(T.statusInvalid);
  });

  it('answers not-found and not-yours with the same neutral sentence', () => {
    const texts: string[] = [];
    for (const number of ['TS20261126-0003', 'TS20250101-0001']) {
      const c = idle();
      c.say(`查询进度 ${number}`);
      c.send({ type: 'effect_result', kind: 'query_status', found: false });
      expect(c.last.replies).to.have.length(1);
      texts.push(c.seen.replace(number, '#'));
    }
    expect(texts[0]).to.equal(texts[1]);
    expect(texts[0]).to.include('未查到您名下');
    for (const leak of ['不存在', '无权', '他人', '不属于']) expect(texts[0]).not.to.include(leak);
  });

  it('says the lookup failed when the runtime reports an error, rather than not-found', () => {
    const c = idle();
    c.say('查询进度 TS20261126-0003');
    c.send({ type: 'effect_result', kind: 'query_status', ok: false });
    expect(c.seen).to.equal(T.queryFailed);
  });
});

describe('complaints/flow: 查询是否需要证明', () => {
  const exempt: ExemptionItem = { serviceItem: '社会保险关系转移', certificate: '居住证明', method: 'sharing' };

  it('asks what to look up, queries it, lists results and offers a complaint that skips the ground question', () => {
    const c = idle();
    c.tap('menu_exemption');
    expect(c.stage).to.equal('exemption_q');
    const r = c.say('居住证明');
    expect(r.effects).to.deep.equal([{ kind: 'query_exemption', q: '居住证明' }]);
    c.send({
      type: 'effect_result',
      kind: 'query_exemption',
      items: [exempt, { serviceItem: '低保申请', certificate: '收入证明', method: 'verification', issuerUnit: '县民政局' }],
    });
    expect(c.seen).to.include('社会保险关系转移').and.include('数据共享').and.include('县民政局协助核验');
    expect(c.seen).to.include('不能再要求您提供');
    expect(menuIds(c.last.replies)).to.deep.equal(['exempt_complain', 'menu_exemption', 'menu_human']);

    c.tap('exempt_complain');
    expect(c.stage).to.equal('agency');
    expect(c.state?.draft.ground).to.equal('ignores_exemption_list');
    expect(c.seen).to.include('未按清单执行免提交');
    c.say('人社局');
    c.say(DraftMother.complete().facts!);
    c.say('请按清单办理');
    c.say('张三');
    c.say('13812345678');
    c.tap('proxy_self');
    const filed = c.tap('confirm_submit').effects[0];
    expect(filed.kind === 'file_complaint' && filed.draft.ground).to.equal('ignores_exemption_list');
  });

  it('says when nothing was found and offers 人工服务', () => {
    const c = idle();
    c.say('查询是否需要证明 火星居住证明');
    expect(c.last.effects).to.deep.equal([{ kind: 'query_exemption', q: '火星居住证明' }]);
    c.send({ type: 'effect_result', kind: 'query_exemption', items: [] });
    expect(c.seen).to.include('没有查到与“火星居住证明”有关');
    expect(menuIds(c.last.replies)).to.include('menu_human');
    expect(menuIds(c.last.replies)).not.to.include('exempt_complain');
  });

  it('lists at most five results and says how many there were', () => {
    const c = idle();
    c.say('查询是否需要证明 证明');
    const items = Array.from({ length: 8 }, (_, i) => ({ ...exempt, serviceItem: `事项${i + 1}` }));
    c.send({ type: 'effect_result', kind: 'query_exemption', items });
    expect(c.seen).to.include('事项5').and.not.include('事项6');
    expect(c.seen).to.include('共查到8条');
  });

  it('does not offer a complaint when no result is exempt', () => {
    const c = idle();
    c.say('查询是否需要证明 结婚证');
    c.send({ type: 'effect_result', kind: 'query_exemption', items: [{ ...exempt, method: 'retained' }] });
    expect(c.seen).to.include(T.exemptionMethodUnknown);
    expect(menuIds(c.last.replies)).to.deep.equal([]);
  });

  it('re-asks an empty or emoji-only question without querying', () => {
    const c = idle();
    c.tap('menu_exemption');
    c.say('🙂🙂');
    expect(c.last.effects).to.deep.equal([]);
    expect(c.seen).to.include(T.problems.emoji_only).and.include(T.exemptionAsk);
  });
});

describe('complaints/flow: 人工服务', () => {
  it('hands off with a reply, then stays quiet while staff answer', () => {
    const c = idle();
    const r = c.tap('menu_human');
    expect(r.effects).to.deep.equal([{ kind: 'handoff' }]);
    expect(c.seen).to.include(T.handoff);
    expect(c.say('我的证明的问题是这样的……').replies).to.deep.equal([]);
    expect(c.send({ type: 'non_text', msgtype: 'image' }).replies).to.deep.equal([]);
    c.say('菜单');
    expect(menuIds(c.last.replies)).to.include('menu_complain');
  });

  it('keeps a draft during a handoff and resumes it on 继续', () => {
    const c = Conversation.at('request');
    c.say('人工服务');
    expect(c.stage).to.equal('human');
    expect(c.seen).to.include(T.handoffDraftKept);
    c.say('继续');
    expect(c.stage).to.equal('request');
    expect(c.state?.draft.facts).to.equal(DraftMother.complete().facts);
  });

  it('tells the citizen when no one can take over and returns to the draft', () => {
    const c = Conversation.at('phone');
    c.say('转人工');
    c.send({ type: 'effect_result', kind: 'handoff', ok: false });
    expect(c.seen).to.include(T.handoffFailed).and.include(T.questions.phone);
    expect(c.stage).to.equal('phone');
  });
});
