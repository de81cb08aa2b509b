import { expect } from 'chai';
import { AGENT_ID, Receiver, api, appToken, buttonCard, startEmulator, type EmulatorHarness } from './harness';

const SEND = '/cgi-bin/message/send';
const UPDATE = '/cgi-bin/message/update_template_card';

describe('sandbox: template cards and update_template_card', () => {
  let h: EmulatorHarness;
  let token: string;
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = new Receiver();
    h = await startEmulator({ callbackUrl: await receiver.start() });
    token = await appToken(h.base);
  });
  afterEach(async () => {
    await h.close();
    await receiver.stop();
  });

  it('answers a response_code for a button card and records the card per member', async () => {
    const r = await api(h.base, token, SEND, buttonCard('alice|bob', 'VR-1'));
    expect(r.json.errcode).to.equal(0);
    expect(r.json.response_code).to.be.a('string').and.not.empty;
    expect(h.emu.cardState('alice', 'VR-1')!.card.button_list).to.have.length(2);
    expect(h.emu.cardState('bob', 'VR-1')!.msgid).to.equal(r.json.msgid);
    expect(h.emu.cardState('carol', 'VR-1')).to.equal(undefined);
  });

  it('answers no response_code for a text_notice card', async () => {
    const r = await api(h.base, token, SEND, {
      touser: 'alice',
      msgtype: 'template_card',
      agentid: AGENT_ID,
      template_card: {
        card_type: 'text_notice',
        main_title: { title: '提醒' },
        card_action: { type: 1, url: 'https://example.org/v/1' },
      },
    });
    expect(r.json.errcode).to.equal(0);
    expect(r.json).not.to.have.property('response_code');
  });

  it('answers 42014 when a task_id is reused, and does not deliver the second card', async () => {
    expect((await api(h.base, token, SEND, buttonCard('alice', 'VR-2'))).json.errcode).to.equal(0);
    const again = await api(h.base, token, SEND, buttonCard('bob', 'VR-2'));
    expect(again.json.errcode).to.equal(42014);
    expect(h.emu.delivered({ touser: 'bob' })).to.be.empty;
  });

  it('validates task_id charset and length (42014)', async () => {
    expect((await api(h.base, token, SEND, buttonCard('alice', 'bad id!'))).json.errcode).to.equal(42014);
    expect((await api(h.base, token, SEND, buttonCard('alice', 'x'.repeat(129)))).json.errcode).to.equal(42014);
    expect((await api(h.base, token, SEND, buttonCard('alice', `ok_-@${'x'.repeat(123)}`))).json.errcode).to.equal(0);
  });

  it('validates card_type (42031), main_title (42033), button_list size (40058) and key bytes (42039)', async () => {
    const card = buttonCard('alice', 'VR-3');
    const bad = (patch: Record<string, unknown>) => ({ ...card, template_card: { ...card.template_card, ...patch } });
    expect((await api(h.base, token, SEND, bad({ card_type: 'poster' }))).json.errcode).to.equal(42031);
    expect((await api(h.base, token, SEND, bad({ main_title: {} }))).json.errcode).to.equal(42033);
    const seven = Array.from({ length: 7 }, (_, i) => ({ text: `b${i}`, key: `k${i}` }));
    expect((await api(h.base, token, SEND, bad({ button_list: seven }))).json.errcode).to.equal(40058);
    expect((await api(h.base, token, SEND, bad({ button_list: [{ text: 'a', key: 'k'.repeat(1025) }] }))).json.errcode).to.equal(
      42039,
    );
    expect((await api(h.base, token, SEND, bad({ button_list: [{ text: 'a', key: 'k'.repeat(1024) }] }))).json.errcode).to.equal(0);
  });

  it('refuses a callback card while the app has no callback URL (43012)', async () => {
    await h.close();
    h = await startEmulator();
    token = await appToken(h.base);
    expect((await api(h.base, token, SEND, buttonCard('alice', 'VR-4'))).json.errcode).to.equal(43012);
  });

  it('a response_code works once: replace_name greys the card, the second use answers 60140', async () => {
    const sent = await api(h.base, token, SEND, buttonCard('alice|bob', 'VR-5'));
    const code = sent.json.response_code;
    const body = { userids: ['alice', 'bob'], agentid: AGENT_ID, response_code: code, button: { replace_name: '已受理' } };
    const first = await api(h.base, token, UPDATE, body);
    expect(first.json.errcode).to.equal(0);
    expect(h.emu.cardState('alice', 'VR-5')!.replace_name).to.equal('已受理');
    expect(h.emu.cardState('bob', 'VR-5')!.replace_name).to.equal('已受理');
    const second = await api(h.base, token, UPDATE, { ...body, button: { replace_name: '又一次' } });
    expect(second.json.errcode).to.equal(60140);
    expect(h.emu.cardState('alice', 'VR-5')!.replace_name).to.equal('已受理');
    expect(h.emu.cardUpdates()).to.have.length(1);
  });

  it('a response_code expires after 72 h (60140), and an unknown one answers 60140', async () => {
    const sent = await api(h.base, token, SEND, buttonCard('alice', 'VR-6'));
    const body = (code: string) => ({
      userids: ['alice'],
      agentid: AGENT_ID,
      response_code: code,
      button: { replace_name: '已处理' },
    });
    h.clock.advance(72 * 3600_000);
    token = await appToken(h.base); // the access_token itself expired long ago
    expect((await api(h.base, token, UPDATE, body(sent.json.response_code))).json.errcode).to.equal(60140);
    expect((await api(h.base, token, UPDATE, body('no-such-code'))).json.errcode).to.equal(60140);
    expect(h.emu.cardState('alice', 'VR-6')!.replace_name).to.equal(undefined);
  });

  it('a response_code just inside 72 h still works', async () => {
    const sent = await api(h.base, token, SEND, buttonCard('alice', 'VR-7'));
    h.clock.advance(72 * 3600_000 - 1_000);
    token = await appToken(h.base);
    const r = await api(h.base, token, UPDATE, {
      userids: ['alice'],
      agentid: AGENT_ID,
      response_code: sent.json.response_code,
      button: { replace_name: '已处理' },
    });
    expect(r.json.errcode).to.equal(0);
  });

  it('replaces the whole card for the listed members only, and reports unknown userids', async () => {
    const sent = await api(h.base, token, SEND, buttonCard('alice|bob', 'VR-8'));
    const newCard = {
      card_type: 'button_interaction',
      main_title: { title: '协查请求（已受理）' },
      task_id: 'VR-8',
      button_list: [
        { text: '核验一致', key: 'match:VR-8' },
        { text: '核验不一致', key: 'mismatch:VR-8' },
      ],
    };
    const r = await api(h.base, token, UPDATE, {
      userids: ['alice', 'ghost'],
      agentid: AGENT_ID,
      response_code: sent.json.response_code,
      template_card: newCard,
    });
    expect(r.json.errcode).to.equal(0);
    expect(r.json.invaliduser).to.deep.equal(['ghost']);
    expect(h.emu.cardState('alice', 'VR-8')!.card.main_title.title).to.equal('协查请求（已受理）');
    expect(h.emu.cardState('bob', 'VR-8')!.card.main_title.title).to.equal('协查请求');
    expect(h.emu.cardUpdates()[0]).to.include({ task_id: 'VR-8' });
  });

  it('a click issues a fresh ResponseCode that update_template_card accepts once', async () => {
    await api(h.base, token, SEND, buttonCard('alice|bob', 'VR-9'));
    const click1 = await h.emu.clickButton('alice', 'VR-9', 'accept:VR-9');
    expect(click1.status).to.equal(200);
    const click2 = await h.emu.clickButton('bob', 'VR-9', 'return:VR-9');
    expect(click2.responseCode).not.to.equal(click1.responseCode);
    const upd = (code: string) =>
      api(h.base, token, UPDATE, { userids: ['alice'], agentid: AGENT_ID, response_code: code, button: { replace_name: 'alice 已受理' } });
    expect((await upd(click1.responseCode)).json.errcode).to.equal(0);
    expect((await upd(click1.responseCode)).json.errcode).to.equal(60140);
    expect((await upd(click2.responseCode)).json.errcode).to.equal(0);
  });

  it('refuses clicks on cards the member never got, unknown keys and greyed cards', async () => {
    const sent = await api(h.base, token, SEND, buttonCard('alice', 'VR-10'));
    let err = await h.emu.clickButton('bob', 'VR-10', 'accept:VR-10').catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    err = await h.emu.clickButton('alice', 'VR-10', 'nope').catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    await api(h.base, token, UPDATE, {
      userids: ['alice'],
      agentid: AGENT_ID,
      response_code: sent.json.response_code,
      button: { replace_name: '已受理' },
    });
    err = await h.emu.clickButton('alice', 'VR-10', 'accept:VR-10').catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect(receiver.received).to.be.empty;
  });
});
