import { expect } from 'chai';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { AES_KEY, AGENT_ID, CORP_ID, TOKEN, Receiver, api, appToken, buttonCard, startEmulator, type EmulatorHarness, type Received } from './harness';

// keep numbers as strings: MsgId is 64-bit
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'SelectedItem' || name === 'OptionId' });

/** Verifies a callback exactly as nocert must, and returns the decrypted message. */
function open(r: Received): any {
  const envelope = parser.parse(r.body).xml;
  expect(envelope.ToUserName).to.equal(CORP_ID);
  expect(envelope.AgentID).to.equal(String(AGENT_ID));
  const { msg_signature, timestamp, nonce } = r.query;
  expect(msg_signature).to.equal(getSignature(TOKEN, timestamp, nonce, envelope.Encrypt));
  const plain = decrypt(AES_KEY, envelope.Encrypt);
  expect(plain.id).to.equal(CORP_ID);
  return parser.parse(plain.message).xml;
}

describe('sandbox: callbacks to the app', () => {
  let h: EmulatorHarness;
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = new Receiver();
    h = await startEmulator({ callbackUrl: await receiver.start() });
  });
  afterEach(async () => {
    await h.close();
    await receiver.stop();
  });

  it('posts a text message signed and encrypted as WeCom does', async () => {
    const res = await h.emu.sendText('alice', '核验不一致：姓名不符');
    expect(res.status).to.equal(200);
    expect(receiver.received).to.have.length(1);
    const r = receiver.received[0];
    expect(r.method).to.equal('POST');
    expect(r.query.timestamp).to.equal(String(Math.floor(h.clock.t / 1000)));
    const msg = open(r);
    expect(msg).to.include({
      ToUserName: CORP_ID,
      FromUserName: 'alice',
      MsgType: 'text',
      Content: '核验不一致：姓名不符',
      AgentID: String(AGENT_ID),
      CreateTime: String(Math.floor(h.clock.t / 1000)),
    });
    expect(msg.MsgId).to.match(/^\d{19}$/);
    expect(msg.MsgId).to.equal(res.msgId);
  });

  it('fails verification with a wrong token or key (the checks can fail)', async () => {
    await h.emu.sendText('alice', 'x');
    const envelope = parser.parse(receiver.received[0].body).xml;
    const { timestamp, nonce, msg_signature } = receiver.received[0].query;
    expect(msg_signature).not.to.equal(getSignature('other-token', timestamp, nonce, envelope.Encrypt));
    const otherKey = Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');
    expect(() => {
      const p = decrypt(otherKey, envelope.Encrypt);
      if (p.id !== CORP_ID) throw new Error('corp mismatch');
    }).to.throw();
  });

  it('keeps a CDATA terminator inside content intact', async () => {
    await h.emu.sendText('alice', 'a]]>b<c>&');
    expect(open(receiver.received[0]).Content).to.equal('a]]>b<c>&');
  });

  it('posts enter_agent with an empty EventKey', async () => {
    await h.emu.sendEnterAgent('bob');
    const msg = open(receiver.received[0]);
    expect(msg).to.include({ MsgType: 'event', Event: 'enter_agent', FromUserName: 'bob', EventKey: '' });
  });

  it('posts template_card_event with EventKey, TaskId, CardType and the ResponseCode it registered', async () => {
    const token = await appToken(h.base);
    await api(h.base, token, '/cgi-bin/message/send', buttonCard('alice', 'VR-100'));
    const click = await h.emu.clickButton('alice', 'VR-100', 'accept:VR-100');
    const msg = open(receiver.received[0]);
    expect(msg).to.include({
      MsgType: 'event',
      Event: 'template_card_event',
      EventKey: 'accept:VR-100',
      TaskId: 'VR-100',
      CardType: 'button_interaction',
      ResponseCode: click.responseCode,
      FromUserName: 'alice',
    });
    expect(msg).not.to.have.property('SelectedItems');
  });

  it('adds SelectedItems for a vote card, and posts template_card_menu_event for an action_menu', async () => {
    const token = await appToken(h.base);
    await api(h.base, token, '/cgi-bin/message/send', {
      touser: 'carol',
      msgtype: 'template_card',
      agentid: AGENT_ID,
      template_card: {
        card_type: 'vote_interaction',
        main_title: { title: '选择类别' },
        task_id: 'VOTE-1',
        checkbox: { question_key: 'category', mode: 0, option_list: [{ id: 'paper', text: '纸质档案' }, { id: 'historical', text: '历史档案' }] },
        submit_button: { text: '提交', key: 'submit:VOTE-1' },
      },
    });
    await h.emu.clickButton('carol', 'VOTE-1', 'submit:VOTE-1', {
      selectedItems: [{ questionKey: 'category', optionIds: ['historical'] }],
    });
    const vote = open(receiver.received[0]);
    expect(vote.CardType).to.equal('vote_interaction');
    expect(vote.SelectedItems.SelectedItem[0].QuestionKey).to.equal('category');
    expect(vote.SelectedItems.SelectedItem[0].OptionIds.OptionId).to.deep.equal(['historical']);

    await api(h.base, token, '/cgi-bin/message/send', {
      touser: 'carol',
      msgtype: 'template_card',
      agentid: AGENT_ID,
      template_card: {
        card_type: 'text_notice',
        main_title: { title: '已逾期' },
        task_id: 'NOTE-1',
        card_action: { type: 1, url: 'https://example.org' },
        action_menu: { desc: '更多', action_list: [{ text: '不再提醒', key: 'mute:NOTE-1' }] },
      },
    });
    const menu = await h.emu.clickMenu('carol', 'NOTE-1', 'mute:NOTE-1');
    const m = open(receiver.received[1]);
    expect(m).to.include({ Event: 'template_card_menu_event', EventKey: 'mute:NOTE-1', TaskId: 'NOTE-1', CardType: 'text_notice' });
    expect(m.ResponseCode).to.equal(menu.responseCode);
  });

  it('tries once by default; with retryOnFailure resends the same bytes, three tries in all', async () => {
    receiver.statuses = [500];
    const once = await h.emu.sendText('alice', 'x');
    expect(once.status).to.equal(500);
    expect(receiver.received).to.have.length(1);

    receiver.received.length = 0;
    receiver.statuses = [500, 502];
    const retried = await h.emu.sendText('alice', 'y', { retryOnFailure: true });
    expect(retried.status).to.equal(200);
    expect(retried.attempts).to.equal(3);
    expect(receiver.received).to.have.length(3);
    expect(receiver.received[1].body).to.equal(receiver.received[0].body);
    expect(receiver.received[2].query).to.deep.equal(receiver.received[0].query);

    receiver.received.length = 0;
    receiver.statuses = [500, 500, 500, 500];
    const failed = await h.emu.sendText('alice', 'z', { retryOnFailure: true });
    expect(failed.status).to.equal(500);
    expect(receiver.received).to.have.length(3);
    expect(h.emu.callbacks().filter((c) => c.plainXml?.includes('[z]'))).to.have.length(3);
  });

  it('the retries property adds tries to every callback', async () => {
    h.emu.retries = 1;
    receiver.statuses = [503];
    const r = await h.emu.sendEnterAgent('alice');
    expect(r.status).to.equal(200);
    expect(receiver.received).to.have.length(2);
  });

  it('gives up on an answer slower than the callback timeout', async () => {
    await h.close();
    h = await startEmulator({ callbackUrl: receiver.url, callbackTimeoutMs: 100 });
    receiver.delayMs = 300;
    const r = await h.emu.sendText('alice', 'slow');
    expect(r.status).to.equal(0);
  });

  it('verifies the URL with a signed, encrypted echostr', async () => {
    const r = await h.emu.verifyUrl('echo-1234');
    expect(r).to.deep.equal({ status: 200, body: 'get-ok' });
    const q = receiver.received[0].query;
    expect(receiver.received[0].method).to.equal('GET');
    expect(q.msg_signature).to.equal(getSignature(TOKEN, q.timestamp, q.nonce, q.echostr));
    const plain = decrypt(AES_KEY, q.echostr);
    expect(plain.message).to.equal('echo-1234');
    expect(plain.id).to.equal(CORP_ID);
  });

  it('buildCallback is usable on its own, with a chosen timestamp, nonce and receiveId', () => {
    const { query, body } = h.emu.buildCallback('<xml><A>1</A></xml>', { timestamp: '1700000000', nonce: '42', receiveId: 'wwOther' });
    expect(query.timestamp).to.equal('1700000000');
    expect(query.nonce).to.equal('42');
    const enc = parser.parse(body).xml.Encrypt;
    expect(query.msg_signature).to.equal(getSignature(TOKEN, '1700000000', '42', enc));
    const plain = decrypt(AES_KEY, enc);
    expect(plain).to.include({ message: '<xml><A>1</A></xml>', id: 'wwOther' });
  });

  it('postRawCallback sends bytes as given', async () => {
    const r = await h.emu.postRawCallback('<xml><Encrypt>forged</Encrypt></xml>', { msg_signature: 'bad', timestamp: '1', nonce: '2' });
    expect(r.status).to.equal(200);
    expect(receiver.received[0].body).to.equal('<xml><Encrypt>forged</Encrypt></xml>');
    expect(receiver.received[0].query).to.deep.equal({ msg_signature: 'bad', timestamp: '1', nonce: '2' });
  });

  it('refuses to send without a callback URL, or from someone outside the directory', async () => {
    const none = await startEmulator();
    try {
      const err = await none.emu.sendText('alice', 'x').catch((e: Error) => e);
      expect(err).to.be.instanceOf(Error);
    } finally {
      await none.close();
    }
    const err = await h.emu.sendText('mallory', 'x').catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
  });
});
