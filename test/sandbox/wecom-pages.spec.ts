/**
 * The points where the emulator was corrected to WeCom's current pages (WECOM.md), each
 * against the page it follows: [DOC n] = developer.work.weixin.qq.com/document/path/n.
 */
import { expect } from 'chai';
import { encrypt, getSignature } from '@wecom/crypto';
import { AES_KEY, AGENT_ID, CORP_ID, KF, Receiver, TOKEN, api, appToken, buttonCard, get, noticeCard, startWithReceiver, text, type EmulatorHarness } from './harness';

const SEND = '/cgi-bin/message/send';
const UPDATE = '/cgi-bin/message/update_template_card';
const KF_SEND = '/cgi-bin/kf/send_msg';
const KF_SYNC = '/cgi-bin/kf/sync_msg';
const CITIZEN = 'wmPages0001';

describe('sandbox: WeCom as its current pages say', () => {
  let h: EmulatorHarness;
  let receiver: Receiver;
  let token: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ h, receiver, token, close } = await startWithReceiver());
  });
  afterEach(async () => close());

  const kfText = (content: string) => ({ touser: CITIZEN, open_kfid: KF, msgtype: 'text', text: { content } });

  describe('kf welcome_code and sessions', () => {
    it('gives no welcome_code when the customer wrote in the last 48 h, even if we never answered (DOC 94670, DOC 95122)', async () => {
      await h.emu.kfCustomerSays(KF, CITIZEN, '在吗');
      h.clock.advance(47 * 3600_000);
      expect((await h.emu.kfEvent(KF, CITIZEN, { event_type: 'enter_session' })).welcomeCode).to.equal(undefined);
      h.clock.advance(2 * 3600_000);
      expect((await h.emu.kfEvent(KF, CITIZEN, { event_type: 'enter_session' })).welcomeCode).to.be.a('string');
    });

    it('gives a welcome_code when only we wrote in the last 48 h (our own last message does not count)', async () => {
      await h.emu.kfCustomerSays(KF, CITIZEN, '你好');
      h.clock.advance(47 * 3600_000);
      token = await appToken(h.base);
      expect((await api(h.base, token, KF_SEND, kfText('结果通知'))).json.errcode).to.equal(0);
      h.clock.advance(2 * 3600_000);
      expect((await h.emu.kfEvent(KF, CITIZEN, { event_type: 'enter_session' })).welcomeCode).to.be.a('string');
    });

    it('send_msg works only in session states 0/1: a human servicer (3), the queue (2) or an ended session (4) answer 95018 (DOC 94669, DOC 94677)', async () => {
      await h.emu.kfCustomerSays(KF, CITIZEN, '你好');
      expect(h.emu.kfSessionState(KF, CITIZEN)).to.equal(0);
      expect((await api(h.base, token, KF_SEND, kfText('一'))).json.errcode).to.equal(0);
      expect(h.emu.kfSessionState(KF, CITIZEN)).to.equal(1);
      for (const state of [2, 3, 4] as const) {
        await h.emu.kfSetSessionState(KF, CITIZEN, state, { servicer: 'zhangsan' });
        expect((await api(h.base, token, KF_SEND, kfText(`state ${state}`))).json.errcode).to.equal(95018);
      }
      // the customer writing again opens a new session (0)
      await h.emu.kfCustomerSays(KF, CITIZEN, '还在吗');
      expect((await api(h.base, token, KF_SEND, kfText('在的'))).json.errcode).to.equal(0);
    });

    it('queues session_status_change, a servicer\'s own message (origin 5) and msg_send_fail for sync_msg (DOC 94670)', async () => {
      await h.emu.kfCustomerSays(KF, CITIZEN, '你好');
      await h.emu.kfSetSessionState(KF, CITIZEN, 3, { servicer: 'zhangsan' });
      await h.emu.kfServicerSays(KF, CITIZEN, '我是人工客服');
      await h.emu.kfMsgSendFail(KF, CITIZEN, 'ourmsg1', { failType: 10 });
      const list = (await api(h.base, token, KF_SYNC, { cursor: '', limit: 100 })).json.msg_list;
      expect(list.map((i: any) => i.origin)).to.deep.equal([3, 4, 5, 4]);
      expect(list[1].event).to.include({ event_type: 'session_status_change', new_servicer_userid: 'zhangsan', open_kfid: KF, external_userid: CITIZEN });
      expect(list[2]).to.include({ msgtype: 'text', servicer_userid: 'zhangsan', external_userid: CITIZEN });
      expect(list[3].event).to.include({ event_type: 'msg_send_fail', fail_msgid: 'ourmsg1', fail_type: 10 });
    });

    it('msgmenu: up to 50 items, of which at most 10 click/view/miniprogram (DOC 94677)', async () => {
      await h.emu.kfCustomerSays(KF, CITIZEN, '你好');
      const click = { type: 'click', click: { id: 'c', content: '投诉' } };
      const plain = { type: 'text', text: { content: '说明' } };
      const menu = (list: unknown[]) => ({ touser: CITIZEN, open_kfid: KF, msgtype: 'msgmenu', msgmenu: { head_content: '请选择', list } });
      expect((await api(h.base, token, KF_SEND, menu([...Array(10).fill(click), ...Array(40).fill(plain)]))).json.errcode).to.equal(0);
      expect((await api(h.base, token, KF_SEND, menu([...Array(11).fill(click)]))).json.errcode).to.equal(95008);
      expect((await api(h.base, token, KF_SEND, menu([...Array(51).fill(plain)]))).json.errcode).to.equal(95008);
    });
  });

  describe('message/send', () => {
    it('a duplicate-suppressed send answers as configured: the first answer, no response_code, or 42014 (WECOM.md section 3, UNDOCUMENTED)', async () => {
      const body = { ...buttonCard('alice', 'dup_task'), enable_duplicate_check: 1, duplicate_check_interval: 1800 };
      const first = (await api(h.base, token, SEND, body)).json;
      expect(first.response_code).to.be.a('string');
      expect((await api(h.base, token, SEND, body)).json).to.deep.equal(first);
      h.emu.duplicateAnswer = 'no_response_code';
      const bare = (await api(h.base, token, SEND, body)).json;
      expect(bare).to.include({ errcode: 0, msgid: first.msgid });
      expect(bare).not.to.have.property('response_code');
      h.emu.duplicateAnswer = '42014';
      expect((await api(h.base, token, SEND, body)).json.errcode).to.equal(42014);
      expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
    });

    it('names members without a licence in unlicenseduser and delivers nothing to them (DOC 90236)', async () => {
      h.emu.addMember('dave', 'Dave', false);
      const r = (await api(h.base, token, SEND, text('alice|dave', '通知'))).json;
      expect(r).to.include({ errcode: 0, unlicenseduser: 'dave' });
      expect(h.emu.delivered({ touser: 'dave' })).to.have.length(0);
      expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
    });

    it('answers a response_code for a notice card with an action_menu (DOC 90236)', async () => {
      const card = noticeCard('alice', 'notice_menu_1');
      expect((await api(h.base, token, SEND, card)).json.response_code).to.be.a('string');
      const { action_menu: _menu, task_id: _task, ...bare } = card.template_card;
      const plain = { ...card, template_card: bare };
      expect((await api(h.base, token, SEND, plain)).json).not.to.have.property('response_code');
    });

    it('submit_button.text is optional (WeCom shows 提交); duplicate button keys are refused (DOC 90236)', async () => {
      const vote = {
        touser: 'alice',
        msgtype: 'template_card',
        agentid: AGENT_ID,
        template_card: {
          card_type: 'vote_interaction',
          main_title: { title: '投票' },
          task_id: 'vote_no_text',
          checkbox: { question_key: 'q', option_list: [{ id: 'a', text: 'A' }] },
          submit_button: { key: 'submit:1' },
        },
      };
      expect((await api(h.base, token, SEND, vote)).json.errcode).to.equal(0);
      const dup = buttonCard('alice', 'dup_keys');
      dup.template_card.button_list = [
        { text: '受理', style: 1, key: 'same' },
        { text: '退回', style: 2, key: 'same' },
      ];
      expect((await api(h.base, token, SEND, dup)).json.errcode).to.equal(42051);
    });
  });

  describe('update_template_card (DOC 94888)', () => {
    const send = async (touser: string, taskId: string) => (await api(h.base, token, SEND, buttonCard(touser, taskId))).json.response_code as string;

    it('takes a whole new card without a task_id of its own', async () => {
      const code = await send('alice', 'upd_card');
      const r = await api(h.base, token, UPDATE, {
        userids: ['alice'],
        agentid: AGENT_ID,
        response_code: code,
        template_card: { card_type: 'button_interaction', main_title: { title: '已受理' }, button_list: [{ text: '已受理', key: 'done:1' }] },
      });
      expect(r.json.errcode).to.equal(0);
      expect(h.emu.cardState('alice', 'upd_card')!.card.main_title.title).to.equal('已受理');
    });

    it('names users the code does not cover in invaliduser', async () => {
      const code = await send('alice', 'upd_cover');
      const r = await api(h.base, token, UPDATE, { userids: ['alice', 'bob', 'nobody'], agentid: AGENT_ID, response_code: code, button: { replace_name: '已处理' } });
      expect(r.json.errcode).to.equal(0);
      expect(r.json.invaliduser).to.have.members(['bob', 'nobody']);
    });

    it('allows replace_name only on button, vote and multiple cards', async () => {
      const code = (await api(h.base, token, SEND, noticeCard('alice', 'notice_rn'))).json.response_code;
      expect((await api(h.base, token, UPDATE, { userids: ['alice'], agentid: AGENT_ID, response_code: code, button: { replace_name: 'x' } })).json.errcode).to.equal(40058);
    });

    it('a used response_code answers 60140, or the code configured while that is unconfirmed', async () => {
      const code = await send('alice', 'upd_reuse');
      const body = { userids: ['alice'], agentid: AGENT_ID, response_code: code, button: { replace_name: '已处理' } };
      expect((await api(h.base, token, UPDATE, body)).json.errcode).to.equal(0);
      expect((await api(h.base, token, UPDATE, body)).json.errcode).to.equal(60140);
      h.emu.usedResponseCodeErrcode = 40058;
      expect((await api(h.base, token, UPDATE, body)).json.errcode).to.equal(40058);
    });
  });

  describe('callbacks', () => {
    it('the GET URL check fails when not answered within 1 s (WECOM.md section 1, DOC 90238)', async () => {
      receiver.delayMs = 1200;
      const slow = await h.emu.verifyUrl('echo');
      expect(slow.status).to.equal(0);
      receiver.delayMs = 0;
      expect((await h.emu.verifyUrl('echo')).status).to.equal(200);
    });

    it('applies a passive reply to a card click for the clicker alone: update_button or a whole card (DOC 90241)', async () => {
      await api(h.base, token, SEND, buttonCard('alice', 'passive_1'));
      await api(h.base, token, SEND, buttonCard('bob', 'passive_2'));
      const seal = (inner: string) => {
        const ts = String(Math.floor(h.clock.t / 1000));
        const enc = encrypt(AES_KEY, inner, CORP_ID);
        return `<xml><Encrypt><![CDATA[${enc}]]></Encrypt><MsgSignature><![CDATA[${getSignature(TOKEN, ts, 'n1', enc)}]]></MsgSignature><TimeStamp>${ts}</TimeStamp><Nonce><![CDATA[n1]]></Nonce></xml>`;
      };
      receiver.bodies = [seal('<xml><ToUserName>alice</ToUserName><FromUserName>corp</FromUserName><CreateTime>1</CreateTime><MsgType>update_button</MsgType><Button><ReplaceName>已受理</ReplaceName></Button></xml>')];
      const a = await h.emu.clickButton('alice', 'passive_1', 'accept:passive_1');
      expect(a.passive).to.deep.equal({ kind: 'update_button', replaceName: '已受理' });
      expect(h.emu.cardState('alice', 'passive_1')!.replace_name).to.equal('已受理');
      receiver.bodies = [seal('<xml><MsgType>update_template_card</MsgType><TemplateCard><CardType>text_notice</CardType><MainTitle><Title>已退回</Title></MainTitle></TemplateCard></xml>')];
      const b = await h.emu.clickButton('bob', 'passive_2', 'return:passive_2');
      expect(b.passive?.kind).to.equal('update_template_card');
      expect(h.emu.cardState('bob', 'passive_2')!.card).to.deep.include({ CardType: 'text_notice' });
      receiver.bodies = ['<xml><Encrypt>forged</Encrypt></xml>'];
      await api(h.base, token, SEND, buttonCard('carol', 'passive_3'));
      const c = await h.emu.clickButton('carol', 'passive_3', 'accept:passive_3');
      expect(c.passive?.kind).to.equal('invalid');
      expect(h.emu.cardState('carol', 'passive_3')!.replace_name).to.equal(undefined);
    });
  });

  describe('OAuth (DOC 91022, DOC 98152)', () => {
    it('a non-member code answers an openid and no userid; the pages issue one with openid=', async () => {
      const code = h.emu.issueNonMemberOAuthCode('oOutsider1');
      const r = await get(h.base, '/cgi-bin/auth/getuserinfo', { access_token: token, code });
      expect(r.json).to.include({ errcode: 0, openid: 'oOutsider1' });
      expect(r.json).not.to.have.property('userid');
      const page = await fetch(`${h.base}/connect/oauth2/authorize?appid=${CORP_ID}&redirect_uri=${encodeURIComponent('https://app.example/cb')}&response_type=code&scope=snsapi_base&state=abc123&agentid=${AGENT_ID}&openid=oOut2`, { redirect: 'manual' });
      expect(page.status).to.equal(302);
      const to = new URL(page.headers.get('location')!);
      expect(to.searchParams.get('state')).to.equal('abc123');
      const who = await get(h.base, '/cgi-bin/auth/getuserinfo', { access_token: token, code: to.searchParams.get('code')! });
      expect(who.json).to.include({ openid: 'oOut2' });
    });

    it('refuses a state with characters outside [a-zA-Z0-9] or over 128 bytes', async () => {
      const url = (state: string) => `${h.base}/connect/oauth2/authorize?appid=${CORP_ID}&redirect_uri=${encodeURIComponent('https://app.example/cb')}&response_type=code&scope=snsapi_base&state=${encodeURIComponent(state)}&agentid=${AGENT_ID}&userid=alice`;
      expect((await fetch(url('v1.abc-_'), { redirect: 'manual' })).status).to.equal(400);
      expect((await fetch(url('a'.repeat(129)), { redirect: 'manual' })).status).to.equal(400);
      expect((await fetch(url('a'.repeat(128)), { redirect: 'manual' })).status).to.equal(302);
    });
  });
});
