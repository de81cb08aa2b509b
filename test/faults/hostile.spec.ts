import { expect } from 'chai';
import { OutboxMessage, VerificationEvent, VerificationRequest } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { DirectoryMother } from '../helpers/mothers/directory';
import { Api } from '../helpers/api';
import { VerificationMother } from '../helpers/mothers/verification';
import { clickCallback, faultEnv, figure, freePort, pool, spawnApp, textCallback, until } from './harness';

const ROUNDS = 100;

describe('faults: a barrage of hostile callbacks and API calls', function () {
  this.timeout(180_000);
  const units = DirectoryMother.standard();

  const f = faultEnv(units);

  async function state(): Promise<string> {
    const reqs = await f.ds.getRepository(VerificationRequest).find({ order: { id: 'ASC' } });
    return JSON.stringify({
      requests: reqs.map((r) => [r.id, r.status, r.version, r.assignee]),
      events: await f.ds.getRepository(VerificationEvent).count(),
      outbox: await f.ds.getRepository(OutboxMessage).count(),
    });
  }

  it('answers every one with a 4xx (or 200 for what is stored without effect): no crash, no 5xx, no state change, no WeCom call', async () => {
    f.app = spawnApp(f.e, { port: await freePort(), instanceId: 'fault-hostile-1' });
    await f.app.ready();
    const rsj = new Api(f.app.url, await createApiKey(f.ds, 'hostile rsj', 'RSJ', new Date()));
    const scj = new Api(f.app.url, await createApiKey(f.ds, 'hostile scj', 'SCJ', new Date()));
    const created = await rsj.post('/verifications', VerificationMother.body());
    expect(created.status).to.equal(201);
    const id = created.body.id as number;
    const card = () => f.e.emu.delivered({ msgtype: 'template_card' }).find((d) => String(d.payload.task_id).startsWith(`vr${id}_`) && JSON.stringify(d.payload).includes(`verif_accept:${id}`));
    const idle = async () => !!card() && (await f.ds.getRepository(OutboxMessage).countBy({ status: 'sent' })) === (await f.ds.getRepository(OutboxMessage).count());
    await until('the request card delivered and the outbox idle', idle, 30_000, 100);
    // Work the creation causes later (e.g. a data-service lookup's notice, polled every
    // second) must have happened before the snapshot: wait until the state stops moving.
    let before = await state();
    for (;;) {
      await new Promise((r) => setTimeout(r, 2500));
      await until('the outbox idle again', idle, 30_000, 100);
      const now = await state();
      if (now === before) break;
      before = now;
    }
    const calls0 = f.e.emu.apiCalls().length;

    const c = card()!;
    const dayAgo = Math.floor(Date.now() / 1000) - 86_400;
    const post = (query: Record<string, string>, body: string, type = 'text/xml') => {
      const u = new URL(`${f.app!.url}/wecom/callback`);
      for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
      return fetch(u, { method: 'POST', headers: { 'content-type': type }, body });
    };
    const nested = `${'<a>'.repeat(5000)}x${'</a>'.repeat(5000)}`;
    const kinds: Array<[string, () => Promise<Response>]> = [
      ['malformed XML', () => post(textCallback(f.e, 'gaj.a', 'x', '1').query, '<xml><Encrypt><![CDATA[')],
      ['deeply nested XML', () => post(textCallback(f.e, 'gaj.a', 'x', '2').query, nested)],
      ['not XML at all', () => post({}, '\u0000\u0001binary', 'application/octet-stream')],
      ['bad signature', () => {
        const b = clickCallback(f.e, c.touser, c.payload.task_id, `verif_accept:${id}`, 'rc');
        return post({ ...b.query, msg_signature: 'f'.repeat(40) }, b.body);
      }],
      ['stale timestamp', () => {
        const b = f.e.emu.buildCallback(`<xml><ToUserName><![CDATA[${f.e.keys.corpId}]]></ToUserName><FromUserName><![CDATA[gaj.a]]></FromUserName><CreateTime>${dayAgo}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[受理]]></Content><MsgId>1</MsgId><AgentID>${f.e.keys.agentId}</AgentID></xml>`, { timestamp: String(dayAgo) });
        return post(b.query, b.body);
      }],
      ['day-old click', () => {
        const b = clickCallback(f.e, c.touser, c.payload.task_id, `verif_accept:${id}`, (f.e.emu as any).issueResponseCode(c.payload.task_id, c.touser), dayAgo);
        return post(b.query, b.body);
      }],
      ['unknown API key', () => fetch(`${f.app!.url}/api/v1/verifications/${id}`, { headers: { authorization: 'Bearer nope' } })],
      ['no API key', () => fetch(`${f.app!.url}/api/v1/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })],
      ['other unit reads', () => fetch(`${f.app!.url}/api/v1/verifications/${id}`, { headers: { authorization: `Bearer ${scj.key}` } })],
      ['other unit cancels', () => fetch(`${f.app!.url}/api/v1/verifications/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${scj.key}`, 'content-type': 'application/json' }, body: '{"reason":"x"}' })],
      ['broken JSON', () => fetch(`${f.app!.url}/api/v1/verifications`, { method: 'POST', headers: { authorization: `Bearer ${rsj.key}`, 'content-type': 'application/json' }, body: '{"requesterUnit":' })],
      ['huge id', () => fetch(`${f.app!.url}/api/v1/verifications/99999999999999999999999`, { headers: { authorization: `Bearer ${rsj.key}` } })],
    ];
    const jobs = Array.from({ length: ROUNDS }, () => kinds).flat();
    const statuses = new Map<string, Map<number, number>>();
    let fivexx = 0;
    let dropped = 0;
    await pool(jobs, 16, async ([name, go]) => {
      let status = 0;
      try {
        const r = await go();
        await r.text();
        status = r.status;
      } catch {
        dropped++;
      }
      if (status >= 500) fivexx++;
      const m = statuses.get(name) ?? new Map<number, number>();
      m.set(status, (m.get(status) ?? 0) + 1);
      statuses.set(name, m);
    });
    // Stored-but-refused callbacks are processed after the answer: let the inbox finish.
    await new Promise((r) => setTimeout(r, 2000));
    const after = await state();
    const wecomCalls = f.e.emu.apiCalls().length - calls0;
    const alive = f.app.proc.exitCode === null;
    const summary = [...statuses].map(([k, m]) => `${k} ${[...m].map(([s, n]) => `${s}x${n}`).join('/')}`).join('; ');
    figure('hostile', `${jobs.length} requests: ${alive ? 0 : 1} crashes, ${fivexx} 5xx, ${dropped} dropped, ${before === after ? 0 : 1} state changes, ${wecomCalls} calls to WeCom (${summary})`);
    expect(alive).to.equal(true);
    expect(fivexx).to.equal(0);
    expect(dropped).to.equal(0);
    expect(after).to.equal(before);
    expect(wecomCalls).to.equal(0);
    for (const [name, m] of statuses) for (const s of m.keys()) expect(s, name).to.be.oneOf(name === 'day-old click' ? [200] : [400, 401, 403, 404, 413, 415]);
  });
});
