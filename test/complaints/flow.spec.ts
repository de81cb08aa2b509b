import { expect } from 'chai';
import { ConversationState, GROUND_CODES, step } from '../../src/complaints/flow';
import { T } from '../../src/complaints/messages';
import {
  ClockMother,
  ContextMother,
  Conversation,
  DraftMother,
  fillUpToConfirm,
  expectSendable,
  menuIds,
  StateMother,
} from '../helpers/mothers/complaint-flow';

const WELCOME_IDS = ['menu_complain', 'menu_status', 'menu_exemption', 'menu_human'];

describe('complaints/flow: welcome and menus', () => {
  it('answers enter_session with exactly one menu of the four services', () => {
    const c = new Conversation();
    const r = c.send({ type: 'enter_session' });
    expect(r.replies).to.have.length(1);
    expect(r.replies[0].msgtype).to.equal('msgmenu');
    expect(menuIds(r.replies)).to.deep.equal(WELCOME_IDS);
    expect(c.seen).to.include('投诉举报').and.include('查询进度').and.include('查询是否需要证明').and.include('人工服务');
    expect(c.stage).to.equal('idle');
  });

  it('greets a first contact whose message it does not understand with the welcome menu', () => {
    const c = new Conversation();
    c.say('在吗');
    expect(menuIds(c.last.replies)).to.deep.equal(WELCOME_IDS);
    expect(c.seen).to.include(T.greeting);
  });

  it('says it did not understand an unrelated message when idle, then offers the menu', () => {
    const c = new Conversation(ContextMother.county(), StateMother.idle());
    c.say('今天天气怎么样');
    expect(c.seen).to.include(T.welcomeConfused);
    expect(menuIds(c.last.replies)).to.deep.equal(WELCOME_IDS);
    expect(c.last.effects).to.deep.equal([]);
  });

  const typedAndTapped: Array<[string, string, string]> = [
    ['menu_complain', '投诉举报', 'ground'],
    ['menu_status', '查询进度', 'status_number'],
    ['menu_exemption', '查询是否需要证明', 'exemption_q'],
    ['menu_human', '人工服务', 'human'],
  ];
  for (const [id, words, stage] of typedAndTapped) {
    it(`reaches ${stage} both by tapping ${id} and by typing “${words}”`, () => {
      const tapped = new Conversation();
      tapped.send({ type: 'enter_session' });
      tapped.tap(id);
      const typed = new Conversation();
      typed.send({ type: 'enter_session' });
      typed.say(` ${words}。`);
      expect(tapped.stage).to.equal(stage);
      expect(typed.stage).to.equal(stage);
      expect(typed.last.replies).to.deep.equal(tapped.last.replies);
      expect(typed.last.effects).to.deep.equal(tapped.last.effects);
    });
  }

  it('ignores a recalled message: same state, nothing sent', () => {
    const state = StateMother.at('facts');
    const r = step(state, { type: 'recall' }, new Date(ClockMother.start().getTime() + 60_000), ContextMother.county());
    expect(r.state).to.equal(state);
    expect(r.replies).to.deep.equal([]);
    expect(r.effects).to.deep.equal([]);
    expect(step(null, { type: 'recall' }, ClockMother.start(), ContextMother.county()).state).to.equal(null);
  });

  it('answers an image when idle by saying only text is understood, with the menu', () => {
    const c = new Conversation(ContextMother.county(), StateMother.idle());
    c.send({ type: 'non_text', msgtype: 'image' });
    expect(c.seen).to.include(T.problems.non_text);
    expect(menuIds(c.last.replies)).to.deep.equal(WELCOME_IDS);
  });

  it('never mutates the state it is given', () => {
    const state = Object.freeze(StateMother.at('phone')) as ConversationState;
    Object.freeze(state.draft);
    Object.freeze(state.history);
    const r = step(state, { type: 'text', content: '13812345678' }, ClockMother.start(), ContextMother.county());
    expect(r.state?.stage).to.equal('proxy');
    expect(state.stage).to.equal('phone');
  });
});

describe('complaints/flow: filing a complaint', () => {
  it('asks one question at a time and files the complete draft, then gives the number and next steps', () => {
    const c = new Conversation();
    c.send({ type: 'enter_session' });

    c.tap('menu_complain');
    expect(menuIds(c.last.replies)).to.deep.equal(['ground_1', 'ground_2', 'ground_3', 'ground_4', 'ground_5']);
    expect(c.seen).to.include('仍要求提供证明（直接或变相）').and.include('拒绝出具县外所需证明');

    c.tap('ground_3');
    expect(c.stage).to.equal('agency');
    expect(c.seen).to.include('已选择：未按时限核验');

    c.say('人社局');
    expect(c.stage).to.equal('facts');
    expect(c.seen).to.include('被投诉单位：县人力资源和社会保障局');

    c.say('11月20日申请社保转移，窗口说要等核验结果，过了三天还没有答复。');
    expect(c.stage).to.equal('request');
    c.say('请尽快核验并办理。');
    expect(c.stage).to.equal('name');
    c.say('王小明');
    expect(c.stage).to.equal('phone');
    c.say('0533-1234567');
    expect(c.stage).to.equal('proxy');
    expect(menuIds(c.last.replies)).to.deep.equal(['proxy_self', 'proxy_other']);
    c.tap('proxy_self');

    expect(c.stage).to.equal('confirm');
    expect(c.last.replies).to.have.length(2);
    const summary = c.seen;
    for (const part of ['未按时限核验', '县人力资源和社会保障局', '过了三天还没有答复', '请尽快核验并办理', '王小明', '0533-1234567', '本人投诉']) {
      expect(summary).to.include(part);
    }
    expect(menuIds(c.last.replies)).to.deep.equal(['confirm_submit', 'confirm_edit', 'confirm_cancel']);

    const submitted = c.tap('confirm_submit');
    expect(submitted.replies).to.deep.equal([]);
    expect(submitted.effects).to.deep.equal([
      {
        kind: 'file_complaint',
        draftId: c.state?.draftStartedAt,
        draft: {
          ground: 'verification_late',
          agencyCode: 'HRSS',
          agencyText: '县人力资源和社会保障局',
          facts: '11月20日申请社保转移，窗口说要等核验结果，过了三天还没有答复。',
          request: '请尽快核验并办理。',
          name: '王小明',
          phone: '0533-1234567',
          proxy: { isProxy: false },
        },
      },
    ]);
    expect(c.stage).to.equal('submitting');
    expect(c.state?.pending).to.deep.equal({ kind: 'file_complaint' });

    const done = c.send({ type: 'effect_result', kind: 'file_complaint', ok: true, number: 'TS20261126-0003' });
    expect(done.replies).to.have.length(1);
    expect(c.seen).to.include('TS20261126-0003').and.include('5个工作日').and.include('延期').and.include('通知您');
    expect(c.stage).to.equal('idle');
    expect(c.state?.draft).to.deep.equal({});
    expect(c.state?.pending).to.equal(undefined);
  });

  it('asks for the principal when the complaint is made for someone else (Art. 6)', () => {
    const c = new Conversation();
    c.send({ type: 'enter_session' });
    fillUpToConfirm(c, DraftMother.complete({ proxy: { isProxy: true, principalName: '李四' } }));
    expect(c.stage).to.equal('confirm');
    expect(c.seen).to.include('代他人投诉，当事人：李四');
    const r = c.say('确认提交');
    expect(r.effects).to.have.length(1);
    const effect = r.effects[0];
    expect(effect.kind === 'file_complaint' && effect.draft.proxy).to.deep.equal({ isProxy: true, principalName: '李四' });
    expect(effect.kind === 'file_complaint' && effect.draft.phone).to.equal('13812345678');
  });

  it('keeps the draft and offers a retry when registration fails', () => {
    const c = Conversation.at('confirm');
    c.say('确认');
    expect(c.stage).to.equal('submitting');
    c.send({ type: 'effect_result', kind: 'file_complaint', ok: false });
    expect(c.stage).to.equal('confirm');
    expect(c.seen).to.include(T.submitFailed);
    expect(c.state?.draft).to.deep.equal(DraftMother.complete());
    expect(c.tap('confirm_submit').effects[0].kind).to.equal('file_complaint');
  });

  it('drops an effect result nobody is waiting for', () => {
    const state = StateMother.at('facts');
    const r = step(
      state,
      { type: 'effect_result', kind: 'file_complaint', ok: true, number: 'TS20261126-0009' },
      ClockMother.start(),
      ContextMother.county(),
    );
    expect(r.state).to.equal(state);
    expect(r.replies).to.deep.equal([]);
  });

  it('lets the citizen change one field from the summary and returns to it', () => {
    const c = Conversation.at('confirm');
    c.say('随便说点');
    expect(c.stage).to.equal('confirm');
    c.tap('confirm_edit');
    expect(c.stage).to.equal('edit_pick');
    c.tap('edit_phone');
    expect(c.stage).to.equal('phone');
    expect(c.seen).to.include('您之前填写的是：13812345678');
    c.say('13900001111');
    expect(c.stage).to.equal('confirm');
    expect(c.seen).to.include('13900001111');
    expect(c.state?.draft.facts).to.equal(DraftMother.complete().facts);
  });

  it('takes ground, proxy and confirm answers typed as words or numbers', () => {
    const c = Conversation.at('ground');
    c.say('5');
    expect(c.state?.draft.ground).to.equal('other');
    const p = Conversation.at('proxy');
    p.say('本人');
    expect(p.stage).to.equal('confirm');
    expect(p.state?.draft.proxy).to.deep.equal({ isProxy: false });
    const g = Conversation.at('ground');
    g.say('拒绝出具县外所需证明');
    expect(g.state?.draft.ground).to.equal(GROUND_CODES[3]);
    const ambiguous = Conversation.at('ground');
    ambiguous.say('清单上的也要，还超时');
    expect(ambiguous.stage).to.equal('ground');
    expect(ambiguous.seen).to.include(T.problems.choice);
  });
});

describe('complaints/flow: cancel, restart, back', () => {
  it('取消 discards the draft and says so', () => {
    const c = Conversation.at('facts');
    c.say('取消');
    expect(c.seen).to.include(T.cancelled);
    expect(c.stage).to.equal('idle');
    expect(c.state?.draft).to.deep.equal({});
    expect(c.state?.history).to.deep.equal([]);
    c.say('继续');
    expect(c.stage).to.equal('idle');
  });

  it('the 取消 item of the summary cancels too', () => {
    const c = new Conversation();
    c.send({ type: 'enter_session' });
    fillUpToConfirm(c);
    c.tap('confirm_cancel');
    expect(c.stage).to.equal('idle');
    expect(c.state?.draft).to.deep.equal({});
    expect(c.last.effects).to.deep.equal([]);
  });

  it('重来 restarts from the first question with an empty draft', () => {
    const c = Conversation.at('phone');
    c.say('重来');
    expect(c.stage).to.equal('ground');
    expect(c.state?.draft).to.deep.equal({});
    expect(menuIds(c.last.replies)).to.include('ground_1');
    expect(c.seen).to.include(T.restart);
  });

  it('上一步 goes back one question and keeps the earlier answers', () => {
    const c = Conversation.at('phone');
    c.say('上一步');
    expect(c.stage).to.equal('name');
    expect(c.seen).to.include('您之前填写的是：张三');
    expect(c.state?.draft.facts).to.equal(DraftMother.complete().facts);
    c.say('上一步');
    expect(c.stage).to.equal('request');
    c.say('请依法处理');
    expect(c.stage).to.equal('name');
    expect(c.state?.draft.request).to.equal('请依法处理');
    expect(c.state?.draft.name).to.equal('张三');
  });

  it('上一步 from the unit question shows the ground menu with the earlier choice', () => {
    const c = Conversation.at('agency');
    c.say('上一步');
    expect(c.stage).to.equal('ground');
    expect(c.seen).to.include('您之前选择的是：仍要求提供证明（直接或变相）');
    c.say('上一步');
    expect(c.stage).to.equal('ground');
    expect(c.seen).to.include(T.backFirst);
  });

  it('上一步 from the summary goes to the last question, and from did-you-mean to the unit question', () => {
    const c = Conversation.at('confirm');
    c.say('上一步');
    expect(c.stage).to.equal('proxy');
    const d = Conversation.at('agency');
    d.say('公安');
    expect(d.stage).to.equal('agency_pick');
    d.say('上一步');
    expect(d.stage).to.equal('agency');
    expect(d.state?.candidates).to.equal(undefined);
  });

  it('不变 keeps the earlier answer after going back', () => {
    const c = Conversation.at('request');
    c.say('上一步');
    expect(c.stage).to.equal('facts');
    c.say('不变');
    expect(c.stage).to.equal('request');
    expect(c.state?.draft.facts).to.equal(DraftMother.complete().facts);
  });
});

describe('complaints/flow: bad answers are re-asked and never lose the draft', () => {
  const cases: Array<[string, string, string]> = [
    ['empty', '', T.problems.empty],
    ['whitespace only', '   \n\t ', T.problems.empty],
    ['emoji only', '😀😡👍 [微笑]', T.problems.emoji_only],
    ['5,000 characters', '很'.repeat(5000), '内容太长了（5000字），请精简到1000字以内'],
    ['binary-looking', 'abc\u0000\u0001\u0002\uFFFD', T.problems.binary],
    ['too short', '不行', T.factsTooShort],
  ];
  for (const [label, input, expected] of cases) {
    it(`re-asks the facts question for ${label} input`, () => {
      const c = Conversation.at('facts');
      const draftBefore = c.state?.draft;
      c.say(input);
      expect(c.stage).to.equal('facts');
      expect(c.state?.draft).to.deep.equal(draftBefore);
      expect(c.seen).to.include(expected);
      expect(c.seen).to.include(T.questions.facts).and.include(T.examples.facts);
      expect(c.last.effects).to.deep.equal([]);
    });
  }

  it('refuses a phone number with letters and shows an example', () => {
    const c = Conversation.at('phone');
    c.say('138abc12345');
    expect(c.stage).to.equal('phone');
    expect(c.seen).to.include(T.problems.phone_letters).and.include('13812345678');
    expect(c.state?.draft.phone).to.equal(undefined);
  });

  it('refuses a number that is neither a mobile nor a landline', () => {
    const c = Conversation.at('phone');
    c.say('1234567');
    expect(c.seen).to.include(T.problems.phone_invalid);
    c.say('12812345678');
    expect(c.stage).to.equal('phone');
    c.say('+86 139-0000-1111');
    expect(c.stage).to.equal('proxy');
    expect(c.state?.draft.phone).to.equal('13900001111');
  });

  it('refuses a phone number given as a name, and a 5,000-character name', () => {
    const c = Conversation.at('name');
    c.say('13812345678');
    expect(c.seen).to.include(T.problems.name_digits);
    c.say('张'.repeat(5000));
    expect(c.seen).to.include('请精简到30字以内');
    expect(c.stage).to.equal('name');
    expect(c.state?.draft.name).to.equal(undefined);
  });

  it('re-asks a choice question when the answer matches no option', () => {
    const c = Conversation.at('ground');
    c.say('你们怎么回事');
    expect(c.stage).to.equal('ground');
    expect(c.seen).to.include(T.problems.choice);
    expect(menuIds(c.last.replies)).to.have.length(5);
  });

  it('does not take an old menu tap as an answer to the current question', () => {
    const c = Conversation.at('phone');
    c.send({ type: 'text', content: '仍要求提供证明（直接或变相）', menuId: 'ground_1' });
    expect(c.stage).to.equal('phone');
    expect(c.seen).to.include(T.problems.stale_menu);
    expect(c.state?.draft.phone).to.equal(undefined);
  });

  it('tells the citizen to cancel first when another service is asked for mid-draft', () => {
    const c = Conversation.at('request');
    c.say('查询进度');
    expect(c.stage).to.equal('request');
    expect(c.seen).to.include(T.problems.in_draft);
    expect(c.last.effects).to.deep.equal([]);
  });

  it('re-asks the current question for a voice message, keeping the draft', () => {
    const c = Conversation.at('request');
    c.send({ type: 'non_text', msgtype: 'voice' });
    expect(c.stage).to.equal('request');
    expect(c.seen).to.include(T.problems.non_text).and.include(T.questions.request);
    expect(c.state?.draft.facts).to.equal(DraftMother.complete().facts);
  });

  it('survives a 5,000-character message in every stage', () => {
    const stages = ['ground', 'agency', 'facts', 'request', 'name', 'phone', 'proxy', 'confirm'] as const;
    for (const st of stages) {
      const c = Conversation.at(st);
      c.say('投'.repeat(5000));
      expect(c.stage, st).to.equal(st);
      expect(c.last.replies.length, st).to.be.greaterThan(0);
    }
    const idle = new Conversation(ContextMother.county(), StateMother.idle());
    idle.say('\u0001'.repeat(5000));
    expect(menuIds(idle.last.replies)).to.deep.equal(WELCOME_IDS);
  });
});

describe('complaints/flow: the complained-about unit', () => {
  it('accepts an unknown unit as typed and says so', () => {
    const c = Conversation.at('agency');
    c.say('某某街道便民服务站');
    expect(c.stage).to.equal('facts');
    expect(c.state?.draft.agencyCode).to.equal(null);
    expect(c.state?.draft.agencyText).to.equal('某某街道便民服务站');
    expect(c.seen).to.include('没有找到“某某街道便民服务站”，已按您输入的名称记录');
  });

  it('offers did-you-mean choices and takes the one tapped', () => {
    const c = Conversation.at('agency');
    c.say('公安');
    expect(c.stage).to.equal('agency_pick');
    expect(c.seen).to.include('您是指');
    expect(menuIds(c.last.replies)).to.deep.equal(['agency_pick_1', 'agency_pick_2', 'agency_none']);
    c.tap('agency_pick_2');
    expect(c.stage).to.equal('facts');
    expect(c.state?.draft.agencyCode).to.equal('PSB-TRAFFIC');
    expect(c.state?.candidates).to.equal(undefined);
  });

  it('takes a typed number, or records the wording as typed on 都不是', () => {
    const byNumber = Conversation.at('agency');
    byNumber.say('公安');
    byNumber.say('1');
    expect(byNumber.state?.draft.agencyCode).to.equal('PSB');
    const none = Conversation.at('agency');
    none.say('公安');
    none.tap('agency_none');
    expect(none.state?.draft).to.include({ agencyCode: null, agencyText: '公安' });
    expect(none.seen).to.include('已按您输入的名称记录：公安');
  });

  it('matches again when a different name is typed instead of choosing', () => {
    const c = Conversation.at('agency');
    c.say('公安');
    c.say('县民政局');
    expect(c.stage).to.equal('facts');
    expect(c.state?.draft.agencyCode).to.equal('CIVIL');
  });

  it('matches a typo to a suggestion the citizen confirms', () => {
    const c = Conversation.at('agency');
    c.say('县公按局');
    expect(c.stage).to.equal('agency_pick');
    expect(c.seen).to.include('县公安局');
  });
});

describe('complaints/flow: WeCom size limits', () => {
  // U+20000.. are 4 bytes in UTF-8: the worst case for the 2048-byte text limit.
  const wide = (n: number): string => '\u{20000}'.repeat(n);

  it('fits the longest possible summary in one text, every line present', () => {
    const c = new Conversation();
    c.send({ type: 'enter_session' });
    c.tap('menu_complain');
    c.say('1');
    c.say(wide(100));
    expect(c.state?.draft.agencyCode).to.equal(null);
    c.say(wide(1000));
    c.say(wide(500));
    c.say(wide(30));
    c.say('13812345678');
    c.tap('proxy_other');
    c.say(wide(30));
    expect(c.stage).to.equal('confirm');
    c.tap('confirm_edit');
    c.tap('edit_agency');
    c.say(wide(100));
    expect(c.stage).to.equal('confirm');
    const summary = c.last.replies[0];
    expect(summary.msgtype).to.equal('text');
    const content = summary.msgtype === 'text' ? summary.text.content : '';
    expect(Buffer.byteLength(content, 'utf8')).to.be.at.most(2048);
    expect(content).to.include('6. 联系电话：13812345678').and.include('7. 代他人投诉，当事人：');
    expect(content).to.include(T.summaryClipped);
    const filed = c.tap('confirm_submit').effects[0];
    expect(filed.kind === 'file_complaint' && filed.draft.facts).to.equal(wide(1000));
  });

  it('fits the longest possible search results and status summary', () => {
    const c = new Conversation(ContextMother.county(), StateMother.idle());
    c.say('查询是否需要证明 证明');
    const items = Array.from({ length: 5 }, () => ({
      serviceItem: wide(200),
      certificate: wide(200),
      method: 'verification',
      issuerUnit: wide(200),
    }));
    c.send({ type: 'effect_result', kind: 'query_exemption', items });
    const list = c.last.replies[0];
    expect(list.msgtype === 'text' && list.text.content).to.match(/^为您查到以下结果：[\s\S]*\n5\. /u);
    c.say('查询进度 TS20261126-0003');
    c.send({ type: 'effect_result', kind: 'query_status', found: true, status: 'resolved', summary: wide(5000) });
    expect(c.seen).to.include('已办结');
  });

  it('every reply of every test conversation is checked by the driver (a too-long reply fails)', () => {
    const c = new Conversation();
    expect(() => c.send({ type: 'effect_result', kind: 'handoff', ok: true })).not.to.throw();
    expect(() =>
      expectSendable({ msgtype: 'text', text: { content: '中'.repeat(683) } }),
    ).to.throw();
  });
});

