import { expect } from 'chai';
import { EXPIRE_AFTER_MS, PARK_AFTER_MS } from '../../src/complaints/flow';
import { T } from '../../src/complaints/messages';
import { Conversation, DraftMother, HOUR, menuIds, MINUTE } from '../helpers/mothers/complaint-flow';

describe('complaints/flow: silence, parking and expiry', () => {
  it('exports the park and expiry delays: 30 minutes and 48 hours', () => {
    expect(PARK_AFTER_MS).to.equal(30 * MINUTE);
    expect(EXPIRE_AFTER_MS).to.equal(48 * HOUR);
  });

  it('keeps expiresAt 48 hours after the last message', () => {
    const c = Conversation.at('facts');
    const sentAt = c.now.getTime();
    c.say('上一步');
    expect(Date.parse(c.state!.updatedAt)).to.equal(sentAt);
    expect(Date.parse(c.state!.expiresAt)).to.equal(sentAt + EXPIRE_AFTER_MS);
  });

  it('takes the answer normally after 29 minutes of silence', () => {
    const c = Conversation.at('name');
    c.wait(29 * MINUTE).say('李雷');
    expect(c.stage).to.equal('phone');
    expect(c.state?.parkedAt).to.equal(undefined);
  });

  it('parks a draft after 31 minutes: says it is saved, offers 继续 / 重来, keeps the draft', () => {
    const c = Conversation.at('name');
    const draftBefore = c.state?.draft;
    c.wait(31 * MINUTE).say('李雷');
    expect(c.stage).to.equal('name');
    expect(c.state?.parkedAt).to.be.a('string');
    expect(c.state?.draft).to.deep.equal(draftBefore);
    expect(c.seen).to.include('还没提交的投诉').and.include('第5步');
    expect(menuIds(c.last.replies)).to.deep.equal(['park_continue', 'park_restart', 'park_cancel']);

    c.say('你好');
    expect(c.seen).to.include(T.problems.choice);
    expect(c.state?.parkedAt).to.be.a('string');

    c.tap('park_continue');
    expect(c.state?.parkedAt).to.equal(undefined);
    expect(c.stage).to.equal('name');
    expect(c.seen).to.include(T.resumed).and.include(T.questions.name);
    c.say('李雷');
    expect(c.stage).to.equal('phone');
    expect(c.state?.draft.facts).to.equal(DraftMother.complete().facts);
  });

  it('resumes with the typed word 继续 as well', () => {
    const c = Conversation.at('facts');
    c.wait(31 * MINUTE).say('随便');
    expect(menuIds(c.last.replies)).to.deep.equal(['park_continue', 'park_restart', 'park_cancel']);
    c.say('继续');
    expect(c.stage).to.equal('facts');
    expect(c.state?.parkedAt).to.equal(undefined);
  });

  it('starts over on 重来 after parking', () => {
    const c = Conversation.at('phone');
    c.wait(40 * MINUTE).say('13812345678');
    expect(c.stage).to.equal('phone');
    expect(c.state?.draft.phone).to.equal(undefined);
    c.say('重来');
    expect(c.stage).to.equal('ground');
    expect(c.state?.draft).to.deep.equal({});
    expect(c.state?.parkedAt).to.equal(undefined);
    expect(menuIds(c.last.replies)).to.include('ground_1');
  });

  it('offers the parked draft in one message when the citizen re-opens the chat', () => {
    const c = Conversation.at('request');
    const r = c.wait(5 * MINUTE).send({ type: 'enter_session' });
    expect(r.replies).to.have.length(1);
    expect(menuIds(r.replies)).to.deep.equal(['park_continue', 'park_restart', 'park_cancel']);
    c.tap('park_cancel');
    expect(c.state?.draft).to.deep.equal({});
  });

  it('discards a draft after 49 hours: tells the citizen, then welcomes', () => {
    const c = Conversation.at('phone');
    c.wait(49 * HOUR).say('13812345678');
    expect(c.seen).to.include(T.expired);
    expect(menuIds(c.last.replies)).to.deep.equal(['menu_complain', 'menu_status', 'menu_exemption', 'menu_human']);
    expect(c.last.replies).to.have.length(1);
    expect(c.stage).to.equal('idle');
    expect(c.state?.draft).to.deep.equal({});
    expect(c.state?.history).to.deep.equal([]);
  });

  it('still obeys a command sent after expiry', () => {
    const c = Conversation.at('facts');
    c.wait(49 * HOUR).say('投诉举报');
    expect(c.seen).to.include(T.expired);
    expect(c.stage).to.equal('ground');
    expect(c.state?.draft).to.deep.equal({});
  });

  it('sends a stuck submission back to the summary after 30 minutes', () => {
    const c = Conversation.at('confirm');
    c.say('确认提交');
    expect(c.stage).to.equal('submitting');
    c.say('好了吗');
    expect(c.seen).to.include(T.submitting);
    c.wait(31 * MINUTE).say('怎么样了');
    expect(c.stage).to.equal('confirm');
    expect(c.seen).to.include(T.submitStale);
    // The late result still reaches the citizen.
    c.send({ type: 'effect_result', kind: 'file_complaint', ok: true, number: 'TS20261126-0007' });
    expect(c.seen).to.include('TS20261126-0007');
    expect(c.state?.draft).to.deep.equal({});
  });

  it('answers again once a handoff has been silent for more than 30 minutes', () => {
    const c = new Conversation();
    c.say('人工服务');
    expect(c.say('还在吗').replies).to.deep.equal([]);
    c.wait(31 * MINUTE).say('还在吗');
    expect(c.stage).to.equal('idle');
    expect(menuIds(c.last.replies)).to.include('menu_complain');
  });
});
