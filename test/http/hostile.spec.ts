import crypto from 'crypto';
import { expect } from 'chai';
import { getSignature } from '@wecom/crypto';
import { startHarness, Harness } from '../helpers/system';
import { InboxEvent } from '../../entities';

/** WeCom's envelope built by hand, so the length field, padding and bytes can be wrong on purpose. */
function sealRaw(aesKey: string, parts: { msg: Buffer; corpId: string; length?: number; pad?: number | 'none' }): string {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(parts.length ?? parts.msg.length);
  let plain = Buffer.concat([crypto.randomBytes(16), len, parts.msg, Buffer.from(parts.corpId)]);
  if (parts.pad !== 'none') {
    const n = 32 - (plain.length % 32);
    plain = Buffer.concat([plain, Buffer.alloc(n, parts.pad ?? n)]);
  } else if (plain.length % 16) plain = Buffer.concat([plain, Buffer.alloc(16 - (plain.length % 16), 0)]);
  const c = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

describe('hostile input never gets a 5xx', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ members: [{ userid: 'zhangsan', name: '张三' }] });
    await h.reset();
  });
  after(async () => h.close());

  const ts = () => String(Math.floor(h.clock.now.getTime() / 1000));
  const nested = (n: number) => `${'<a>'.repeat(n)}x${'</a>'.repeat(n)}`;
  const text = () =>
    `<xml><ToUserName>${h.keys.corpId}</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>${ts()}</CreateTime><MsgType>text</MsgType><Content>帮助</Content><MsgId>${Date.now()}1</MsgId><AgentID>${h.keys.agentId}</AgentID></xml>`;
  /** A correctly signed envelope around an arbitrary Encrypt value. */
  const signed = (enc: string, timestamp = ts()) => ({
    query: { msg_signature: getSignature(h.keys.token, timestamp, 'n1', enc), timestamp, nonce: 'n1' },
    body: `<xml><ToUserName>${h.keys.corpId}</ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  });
  const inner = (xml: string | Buffer, o: { length?: number; pad?: number | 'none'; corpId?: string } = {}) =>
    signed(sealRaw(h.keys.aesKey, { msg: Buffer.isBuffer(xml) ? xml : Buffer.from(xml), corpId: o.corpId ?? h.keys.corpId, length: o.length, pad: o.pad }));
  const q = { msg_signature: 'a'.repeat(40), timestamp: '1', nonce: 'n' };

  type Case = { method?: string; path?: string; query?: Record<string, string> | string; body?: string | Buffer; headers?: Record<string, string> };
  const cases: Array<[string, () => Case]> = [
    ['an empty body', () => ({ query: q, body: '' })],
    ['whitespace only', () => ({ query: q, body: '   \n ' })],
    ['plain text', () => ({ query: q, body: 'hello' })],
    ['JSON', () => ({ query: q, body: '{"Encrypt":"x"}' })],
    ['deeply nested outer XML', () => ({ query: q, body: `<xml>${nested(5000)}</xml>` })],
    ['an unclosed tag', () => ({ query: q, body: '<xml><Encrypt>abc' })],
    ['an unterminated CDATA', () => ({ query: q, body: '<xml><Encrypt><![CDATA[abc</Encrypt></xml>' })],
    ['a DOCTYPE', () => ({ query: q, body: '<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>' })],
    ['a root other than <xml>', () => ({ query: q, body: '<foo><Encrypt>abc</Encrypt></foo>' })],
    ['no Encrypt', () => ({ query: q, body: '<xml><ToUserName>x</ToUserName></xml>' })],
    ['an element inside Encrypt', () => ({ query: q, body: '<xml><Encrypt><a>b</a></Encrypt></xml>' })],
    ['two Encrypt elements', () => ({ query: q, body: '<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>' })],
    ['non-UTF-8 bytes', () => ({ query: q, body: Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe, 0xc0, 0x80, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]) })],
    ['NUL bytes', () => ({ query: q, body: '<xml>\u0000<Encrypt>\u0000</Encrypt></xml>' })],
    ['no signature', () => ({ query: { timestamp: ts(), nonce: 'n' }, body: signed('AAAA').body })],
    ['a forged signature', () => ({ query: { ...signed('AAAA').query, msg_signature: 'b'.repeat(40) }, body: signed('AAAA').body })],
    ['repeated query parameters', () => ({ query: `msg_signature=a&msg_signature=b&timestamp=1&timestamp=2&nonce=n`, body: signed('AAAA').body })],
    ['a non-numeric signed timestamp', () => signed('AAAA', 'soon')],
    ['a 30-digit signed timestamp', () => signed('AAAA', '9'.repeat(30))],
    ['a signed base64 with bad characters', () => signed('!!!!****')],
    ['a signed base64 with bad padding', () => signed('AAAAA=')],
    ['a signed ciphertext shorter than a block', () => signed('AAAA')],
    ['a signed ciphertext of random blocks', () => signed(crypto.randomBytes(64).toString('base64'))],
    ['a length field far beyond the message', () => inner(text(), { length: 0xfffffff0 })],
    ['a zero length field', () => inner(text(), { length: 0 })],
    ['a bad PKCS#7 padding', () => inner(text(), { pad: 0 })],
    ['padding larger than a block', () => inner(text(), { pad: 200 })],
    ['a non-UTF-8 inner message', () => inner(Buffer.concat([Buffer.from('<xml><Content>'), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('</Content></xml>')]))],
    ['deeply nested inner XML', () => inner(`<xml>${nested(5000)}</xml>`)],
    ['inner plain text', () => inner('not xml at all')],
    ['an inner root other than <xml>', () => inner('<foo><MsgType>text</MsgType></foo>')],
    ['another CorpID', () => inner(text(), { corpId: 'wwSomeoneElse' })],
    ['an oversized body', () => ({ query: q, body: `<xml><Encrypt>${'A'.repeat(400 * 1024)}</Encrypt></xml>` })],
    ['PUT on the callback', () => ({ method: 'PUT', query: q, body: '<xml/>' })],
    ['GET without echostr', () => ({ method: 'GET', query: q })],
    ['GET with a garbage echostr', () => ({ method: 'GET', query: { ...q, echostr: '%%%' } })],
    ['an API call without a key', () => ({ method: 'POST', path: '/api/v1/verifications', body: '{}', headers: { 'content-type': 'application/json' } })],
    ['an API call with a malformed key', () => ({ method: 'GET', path: '/api/v1/verifications', headers: { authorization: 'Bearer \u00ff' } })],
    ['an unknown route', () => ({ method: 'GET', path: '/nope' })],
    ['DELETE on /metrics', () => ({ method: 'DELETE', path: '/metrics' })],
  ];

  it(`answers ${cases.length} kinds of malformed requests with a 4xx error shape, stores nothing, calls WeCom never, keeps serving`, async () => {
    const calls = h.emu.apiCalls().length;
    const statuses: Record<string, number> = {};
    for (const [name, make] of cases) {
      const c = make();
      const method = c.method ?? 'POST';
      const qs = typeof c.query === 'string' ? c.query : new URLSearchParams(c.query ?? {}).toString();
      const res = await fetch(`${h.sys.url}${c.path ?? '/wecom/callback'}${qs ? `?${qs}` : ''}`, {
        method,
        body: method === 'GET' || method === 'DELETE' ? undefined : c.body ?? '',
        headers: { 'content-type': 'text/xml', ...c.headers },
      });
      statuses[name] = res.status;
      const raw = await res.text();
      expect(res.status, `${name}: ${raw}`).to.be.within(400, 499);
      let body: { error?: { code?: unknown; message?: unknown } } = {};
      expect(() => (body = JSON.parse(raw)), `${name}: not JSON: ${raw}`).to.not.throw();
      expect(body.error?.code, name).to.be.a('string').and.not.equal('');
      expect(body.error?.message, name).to.be.a('string');
    }
    expect(Object.values(statuses).filter((s) => s >= 500)).to.have.length(0);
    expect(await h.sys.dataSource.getRepository(InboxEvent).count()).to.equal(0);
    expect(h.emu.apiCalls().length).to.equal(calls);
    // Still serving: a genuine callback is stored and answered.
    const ok = await h.emu.sendText('zhangsan', '帮助');
    expect(ok.status).to.equal(200);
    expect((await fetch(`${h.sys.url}/healthz`)).status).to.equal(200);
    expect(await h.sys.dataSource.getRepository(InboxEvent).count()).to.equal(1);
  });
});
