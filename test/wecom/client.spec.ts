import 'reflect-metadata';
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { clearTables, testDataSource } from '../helpers/db';
import { AGENT_ID, CORP_ID, KF, KF_SECRET, ROBOT, Receiver, SECRET, startEmulator, type EmulatorHarness } from '../sandbox/harness';
import { DbTokenProvider } from '../../src/wecom/token-cache';
import { WeComClient, type WeComClientOptions } from '../../src/wecom/client';
import { WeComError, WeComFatalError, WeComUnavailableError } from '../../src/wecom/errors';
import { AppError } from '../../src/errors';

const CITIZEN = 'wmCitizen0001';

/** Collects log lines so tests can check nothing secret is ever logged. */
class LogSpy {
  lines: Array<{ level: string; obj: object; msg?: string }> = [];
  private add = (level: string) => (obj: object, msg?: string) => {
    this.lines.push({ level, obj, msg });
  };
  debug = this.add('debug');
  info = this.add('info');
  warn = this.add('warn');
  error = this.add('error');
  text(): string {
    return JSON.stringify(this.lines);
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function card(touser: string, taskId: string) {
  return {
    touser,
    msgtype: 'template_card',
    template_card: {
      card_type: 'button_interaction',
      main_title: { title: '协查请求', desc: 'Z-2025-0001' },
      task_id: taskId,
      button_list: [
        { text: '受理', style: 1, key: `accept:${taskId}` },
        { text: '退回', style: 2, key: `return:${taskId}` },
      ],
    },
  };
}

describe('wecom client (against the emulator over HTTP)', () => {
  let ds: DataSource;
  let h: EmulatorHarness;
  let receiver: Receiver;
  let tokens: DbTokenProvider;
  let log: LogSpy;
  let sleeps: number[];
  let errors: number[];

  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => {
    await clearTables(ds);
    receiver = new Receiver();
    h = await startEmulator({ callbackUrl: await receiver.start() });
    tokens = new DbTokenProvider({ dataSource: ds, apiBase: h.base, corpId: CORP_ID, secrets: { app: SECRET, kf: KF_SECRET }, now: () => new Date(h.clock.t) });
    log = new LogSpy();
    sleeps = [];
    errors = [];
  });
  afterEach(async () => {
    await h.close();
    await receiver.stop();
  });

  const client = (over: Partial<WeComClientOptions> = {}) =>
    new WeComClient({
      apiBase: h.base,
      corpId: CORP_ID,
      agentId: AGENT_ID,
      tokens,
      logger: log,
      metrics: { wecomError: (c) => errors.push(c) },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...over,
    });
  const calls = (path: string) => h.emu.apiCalls().filter((c) => c.path === path);

  it('sendMessage adds agentid and returns msgid, response_code and invaliduser', async () => {
    const r = await client().sendMessage({ ...card('alice|ghost', 'task_1'), enable_duplicate_check: 0 });
    expect(r.errcode).to.equal(0);
    expect(r.msgid).to.be.a('string');
    expect(r.response_code).to.be.a('string');
    expect(r.invaliduser).to.equal('ghost');
    expect(calls('/cgi-bin/message/send')[0].body.agentid).to.equal(AGENT_ID);
    expect(h.emu.delivered({ touser: 'alice' })).to.have.length(1);
  });

  it('updateTemplateCard uses a response_code once; 60140 is an error at once, without retry', async () => {
    const c = client();
    const sent = await c.sendMessage(card('alice', 'task_2'));
    const ok = await c.updateTemplateCard({ userids: ['alice'], response_code: sent.response_code!, button: { replace_name: '已受理' } });
    expect(ok.errcode).to.equal(0);
    expect(h.emu.cardState('alice', 'task_2')?.replace_name).to.equal('已受理');
    const err = await rejection(c.updateTemplateCard({ userids: ['alice'], response_code: sent.response_code!, button: { replace_name: 'again' } }));
    expect(err).to.be.instanceOf(WeComError);
    expect((err as WeComError).errcode).to.equal(60140);
    expect((err as WeComError).path).to.equal('/cgi-bin/message/update_template_card');
    expect(calls('/cgi-bin/message/update_template_card')).to.have.length(2);
    expect(sleeps).to.deep.equal([]);
    expect(errors).to.deep.equal([60140]);
  });

  it('creates an app group chat and sends to it', async () => {
    const c = client();
    const created = await c.appchatCreate({ name: '无证明办', owner: 'alice', userlist: ['alice', 'bob'], chatid: 'office01' });
    expect(created.chatid).to.equal('office01');
    await c.appchatSend({ chatid: 'office01', msgtype: 'text', text: { content: '逾期提醒' } });
    expect(h.emu.appchatMessages('office01')).to.have.length(1);
    const err = await rejection(c.appchatSend({ chatid: 'nochat', msgtype: 'text', text: { content: 'x' } }));
    expect((err as WeComError).errcode).to.equal(86003);
  });

  it('robotSend posts to the webhook without an access_token', async () => {
    const c = client();
    await c.robotSend(`${h.base}/cgi-bin/webhook/send?key=${ROBOT}`, { msgtype: 'markdown', markdown: { content: '**逾期** 1 件' } });
    expect(h.emu.robotMessages(ROBOT)).to.have.length(1);
    const call = calls('/cgi-bin/webhook/send')[0];
    expect(call.query).not.to.have.property('access_token');
    expect(calls('/cgi-bin/gettoken')).to.have.length(0);
    expect(log.text()).not.to.contain(ROBOT);
  });

  it('a robot past 20 a minute answers 45009: backed off, then WeComError after 3 attempts', async () => {
    const c = client();
    const url = `${h.base}/cgi-bin/webhook/send?key=${ROBOT}`;
    for (let i = 0; i < 20; i++) await c.robotSend(url, { msgtype: 'text', text: { content: `m${i}` } });
    const err = await rejection(c.robotSend(url, { msgtype: 'text', text: { content: 'm20' } }));
    expect((err as WeComError).errcode).to.equal(45009);
    expect(calls('/cgi-bin/webhook/send')).to.have.length(23);
    expect(sleeps).to.deep.equal([375, 750]); // base 500 ms doubling, jitter keeps 50-100%
  });

  it('kf calls use the kf token: sync_msg, send_msg and send_msg_on_event', async () => {
    const c = client();
    const said = await h.emu.kfCustomerSays(KF, CITIZEN, '我要投诉');
    const page = await c.kfSyncMsg({ cursor: '', token: said.token, limit: 100, open_kfid: KF });
    expect(page.has_more).to.equal(0);
    expect(page.next_cursor).to.be.a('string');
    expect(page.msg_list.map((m) => m.text?.content)).to.deep.equal(['我要投诉']);
    const sent = await c.kfSendMsg({ touser: CITIZEN, open_kfid: KF, msgid: 'ncTest1', msgtype: 'text', text: { content: '您好' } });
    expect(sent.msgid).to.equal('ncTest1');
    expect(h.emu.kfSent(CITIZEN)).to.have.length(1);
    const kfToken = await tokens.getToken('kf');
    expect(kfToken).not.to.equal(await tokens.getToken('app'));
    for (const p of ['/cgi-bin/kf/sync_msg', '/cgi-bin/kf/send_msg']) expect(calls(p)[0].query.access_token).to.equal(kfToken);

    const ev = await h.emu.kfEvent(KF, 'wmNewCitizen02', { event_type: 'enter_session', scene: 'qr' });
    const welcome = await c.kfSendMsgOnEvent({ code: ev.welcomeCode!, msgtype: 'text', text: { content: '欢迎' } });
    expect(welcome.msgid).to.be.a('string');
    expect(h.emu.kfSent('wmNewCitizen02')).to.have.length(1);
  });

  it('kf answers 95001 after five messages in the 48 h window, without retry', async () => {
    const c = client();
    await h.emu.kfCustomerSays(KF, CITIZEN, 'hi');
    for (let i = 0; i < 5; i++) await c.kfSendMsg({ touser: CITIZEN, open_kfid: KF, msgtype: 'text', text: { content: `r${i}` } });
    const err = await rejection(c.kfSendMsg({ touser: CITIZEN, open_kfid: KF, msgtype: 'text', text: { content: 'r5' } }));
    expect((err as WeComError).errcode).to.equal(95001);
    expect(calls('/cgi-bin/kf/send_msg')).to.have.length(6);
  });

  it('getUserInfo turns an OAuth code into a userid; a bad code is 40029', async () => {
    const c = client();
    expect((await c.getUserInfo(h.emu.issueOAuthCode('alice'))).userid).to.equal('alice');
    const err = await rejection(c.getUserInfo('not-a-code'));
    expect((err as WeComError).errcode).to.equal(40029);
    expect(err).to.be.instanceOf(AppError);
    expect((err as AppError).code).to.equal('wecom_api_error');
  });

  it('backs off on -1 and 45033 and succeeds when WeCom recovers', async () => {
    h.emu.injectError('/cgi-bin/message/send', -1);
    h.emu.injectError('/cgi-bin/message/send', 45033);
    const r = await client().sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'busy' } });
    expect(r.errcode).to.equal(0);
    expect(calls('/cgi-bin/message/send').map((c) => c.errcode)).to.deep.equal([-1, 45033, 0]);
    expect(sleeps).to.deep.equal([375, 750]);
    expect(errors).to.deep.equal([-1, 45033]);
  });

  it('gives up after three 45009 answers with WeComError', async () => {
    h.emu.injectError('/cgi-bin/message/send', 45009, 5);
    const err = await rejection(client({ retry: { baseMs: 100, maxAttempts: 3 } }).sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'x' } }));
    expect((err as WeComError).errcode).to.equal(45009);
    expect(calls('/cgi-bin/message/send')).to.have.length(3);
    expect(sleeps).to.deep.equal([75, 150]);
  });

  it('any other errcode is an error at once; 40001 from an API is fatal', async () => {
    h.emu.injectError('/cgi-bin/message/send', 60020);
    const err = await rejection(client().sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'x' } }));
    expect(err).to.be.instanceOf(WeComError);
    expect(err).not.to.be.instanceOf(WeComFatalError);
    expect((err as WeComError).errcode).to.equal(60020);
    expect(calls('/cgi-bin/message/send')).to.have.length(1);

    h.emu.injectError('/cgi-bin/message/send', 40001);
    const fatal = await rejection(client().sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'x' } }));
    expect(fatal).to.be.instanceOf(WeComFatalError);
    expect(calls('/cgi-bin/message/send')).to.have.length(2);
  });

  it('HTTP 5xx and refused connections are WeComUnavailableError', async () => {
    const c = client();
    await tokens.getToken('app');
    h.emu.setOutage(true);
    const down = await rejection(c.sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'x' } }));
    expect(down).to.be.instanceOf(WeComUnavailableError);
    expect((down as WeComUnavailableError).httpStatus).to.equal(503);
    h.emu.setOutage(false);
    const base = h.base;
    await h.close();
    const refused = await rejection(
      new WeComClient({ apiBase: base, corpId: CORP_ID, agentId: AGENT_ID, tokens, logger: log }).robotSend(`${base}/cgi-bin/webhook/send?key=${ROBOT}`, { msgtype: 'text', text: { content: 'x' } }),
    );
    expect(refused).to.be.instanceOf(WeComUnavailableError);
    expect((refused as Error).message).not.to.contain(ROBOT);
  });

  it('never logs tokens, secrets or message contents', async () => {
    const c = client();
    h.emu.injectError('/cgi-bin/message/send', 45009);
    await c.sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'SECRET-CONTENT-123' } });
    h.emu.invalidateTokens();
    await c.sendMessage({ touser: 'alice', msgtype: 'text', text: { content: 'SECRET-CONTENT-456' } });
    await rejection(c.getUserInfo('bad-code'));
    const text = log.text();
    expect(log.lines.length).to.be.above(2);
    for (const t of h.emu.apiCalls().map((x) => x.query.access_token).filter(Boolean)) expect(text).not.to.contain(t);
    expect(text).not.to.contain(SECRET);
    expect(text).not.to.contain('SECRET-CONTENT');
  });
});
