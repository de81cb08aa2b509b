/**
 * The kf runtime's guarantees: sync_msg loops on has_more (even empty pages), the cursor
 * moves with the stored page, one instance per account, each item handled exactly once.
 */
import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { KfConversation, KfInboundMessage, KfSyncCursor, OutboxMessage } from '../../entities';
import { createKfWorker } from '../../src/complaints';
import { normaliseItem, orderBatch } from '../../src/complaints/kf-sync';
import { draftKey } from '../../src/complaints/kf-effects';
import { extensionDaysOf } from '../../src/complaints/liaison';
import { T } from '../../src/complaints/messages';
import { extraDataSource, isMysqlRun } from '../helpers/db';
import { ComplaintMother } from '../helpers/mothers/complaints';
import { KfHarness, startKfHarness } from '../helpers/kf';

describe('complaints: the kf runtime', () => {
  describe('pure parts', () => {
    it('normalises text and event items (event items carry open_kfid and external_userid inside event{})', () => {
      const text = normaliseItem({ msgid: 'm1', open_kfid: 'wkA', external_userid: 'wmU', send_time: 1764118800, origin: 3, msgtype: 'text', text: { content: '你好' } }, 'wkA');
      expect(text).to.include({ msgid: 'm1', openKfId: 'wkA', externalUserId: 'wmU', origin: 3, msgtype: 'text', eventType: null });
      expect(text!.sendTime.toISOString()).to.equal('2025-11-26T01:00:00.000Z');
      const ev = normaliseItem({ msgid: 'm2', send_time: 1764118801, origin: 4, msgtype: 'event', event: { event_type: 'user_recall_msg', open_kfid: 'wkA', external_userid: 'wmU', recall_msgid: 'm1' } }, 'wkA');
      expect(ev).to.include({ openKfId: 'wkA', externalUserId: 'wmU', eventType: 'user_recall_msg', recallMsgid: 'm1' });
      expect(normaliseItem({ send_time: 1, origin: 3, msgtype: 'text' } as any, 'wkA')).to.equal(null);
      expect(normaliseItem({ msgid: 'x'.repeat(129), send_time: 1, origin: 3, msgtype: 'text' }, 'wkA')).to.equal(null);
    });

    it('orders a batch by send_time (ties keep WeCom\'s order) and keeps a twice-delivered msgid once', () => {
      const mk = (msgid: string, t: number) => normaliseItem({ msgid, open_kfid: 'wkA', external_userid: 'u', send_time: t, origin: 3, msgtype: 'text', text: { content: msgid } }, 'wkA')!;
      const out = orderBatch([mk('c', 20), mk('b', 10), mk('a', 20), mk('b', 10), mk('z', 5)]);
      expect(out.map((i) => i.msgid)).to.deep.equal(['z', 'b', 'c', 'a']);
    });

    it('keys a chat submission by draft and content', () => {
      const conv = { openKfId: 'wkA', externalUserId: 'wmU' };
      expect(draftKey(conv, 'd1', { facts: 'a' })).to.equal(draftKey(conv, 'd1', { facts: 'a' }));
      expect(draftKey(conv, 'd1', { facts: 'a' })).not.to.equal(draftKey(conv, 'd1', { facts: 'b' }));
      expect(draftKey(conv, 'd1', { facts: 'a' }).length).to.be.at.most(190);
    });

    it('reads the extension days from the liaison\'s words', () => {
      expect(extensionDaysOf('3个工作日，需要调取档案')).to.equal(3);
      expect(extensionDaysOf('延期２天')).to.equal(2);
      expect(extensionDaysOf('2 需要现场核实')).to.equal(2);
      expect(extensionDaysOf('需要调取档案')).to.equal(5);
      expect(extensionDaysOf('延期8个工作日')).to.equal(8);
    });
  });

  describe('with the server and the emulator', () => {
    let kh: KfHarness;
    before(async () => {
      kh = await startKfHarness();
    });
    after(async () => kh.close());
    beforeEach(async () => kh.reset());

    it('keeps pulling while has_more is 1, past empty pages, and stores the cursor', async () => {
      kh.h.emu.injectKfEmptyPages(3);
      const r = await kh.say('wmPages', '你好');
      expect(r[0]).to.contain(T.greeting);
      const calls = kh.h.emu.apiCalls().filter((a) => a.path === '/cgi-bin/kf/sync_msg' && a.body.open_kfid === kh.kf);
      expect(calls.length).to.be.at.least(4);
      const cursor = await kh.h.sys.dataSource.getRepository(KfSyncCursor).findOneByOrFail({ openKfId: kh.kf });
      expect(cursor.cursor).to.be.a('string').and.not.equal('');
      expect(cursor.synced).to.equal(cursor.requested);
      // The next sync starts from the stored cursor.
      await kh.say('wmPages', '投诉举报', 'menu_complain');
      const last = kh.h.emu.apiCalls().filter((a) => a.path === '/cgi-bin/kf/sync_msg' && a.body.open_kfid === kh.kf).at(-1)!;
      expect(last.body.cursor).to.equal(cursor.cursor);
    });

    it('syncs without the callback token once it is older than 10 minutes', async () => {
      await kh.h.emu.kfCustomerSays(kh.kf, 'wmSlow', '你好');
      kh.h.clock.advance(11 * 60_000);
      await kh.settle();
      const call = kh.h.emu.apiCalls().filter((a) => a.path === '/cgi-bin/kf/sync_msg' && a.body.open_kfid === kh.kf).at(-1)!;
      expect(call.body.token).to.equal(undefined);
      expect(kh.sent('wmSlow')).to.have.length(1);
    });

    it('leaves the request pending when WeCom is down and catches up afterwards', async () => {
      kh.h.emu.setOutage(true);
      let row: KfSyncCursor;
      try {
        await kh.h.emu.kfCustomerSays(kh.kf, 'wmOutage', '你好');
        await kh.h.sys.inbox.drain();
        await kh.worker.runOnce();
        row = await kh.h.sys.dataSource.getRepository(KfSyncCursor).findOneByOrFail({ openKfId: kh.kf });
        expect(row.synced).to.be.below(row.requested);
        expect(row.lastError).to.be.a('string');
        expect(row.claimedBy).to.equal(null);
      } finally {
        kh.h.emu.setOutage(false);
      }
      // The failed sync backs off (kf-sync-backoff.spec.ts) for 5 s and a little more.
      kh.h.clock.advance(6_000);
      await kh.settle();
      row = await kh.h.sys.dataSource.getRepository(KfSyncCursor).findOneByOrFail({ openKfId: kh.kf });
      expect(row.synced).to.equal(row.requested);
      expect(kh.sent('wmOutage')).to.have.length(1);
    });

    it('leaves an account another instance is syncing alone until its claim runs out', async () => {
      await kh.h.emu.kfCustomerSays(kh.kf, 'wmClaim', '你好');
      await kh.h.sys.inbox.drain();
      const repo = kh.h.sys.dataSource.getRepository(KfSyncCursor);
      await repo.update({ openKfId: kh.kf }, { claimedBy: 'kf:other-instance', claimedUntil: new Date(kh.h.clock.now.getTime() + 30_000) });
      await kh.settle();
      expect(kh.sent('wmClaim')).to.have.length(0);
      kh.h.clock.advance(31_000);
      await kh.settle();
      expect(kh.sent('wmClaim')).to.have.length(1);
    });

    it('handles every item exactly once with two instances working at once', async function () {
      this.timeout(60_000);
      const ds2: DataSource = isMysqlRun() ? await extraDataSource() : kh.h.sys.dataSource;
      try {
        const w2 = createKfWorker({ ...kh.h.sys.deps, dataSource: ds2 }, kh.h.sys.client, { instanceId: 'test-kf-worker-2' });
        const people = Array.from({ length: 8 }, (_, i) => `wmPar${i}`);
        for (const p of people) {
          await kh.h.emu.kfCustomerSays(kh.kf, p, '投诉举报', { menuId: 'menu_complain' });
          await kh.h.emu.kfCustomerSays(kh.kf, p, '5', { menuId: 'ground_5' });
        }
        await kh.h.sys.inbox.drain();
        for (let i = 0; i < 4; i++) {
          await Promise.all([kh.worker.runOnce(), w2.runOnce(), kh.worker.runOnce(), w2.runOnce()]);
          await kh.h.sys.settle();
        }
        await kh.settle();
        for (const p of people) {
          const sent = kh.sent(p);
          expect(sent, p).to.have.length(2);
          expect(sent[0]).to.contain(T.questions.ground);
          expect(sent[1]).to.contain(T.questions.agency);
        }
        const rows = await kh.h.sys.dataSource.getRepository(KfInboundMessage).findBy({ openKfId: kh.kf });
        expect(rows).to.have.length(16);
        expect(rows.every((r) => r.status === 'done' && r.attempts === 1)).to.equal(true);
        const replies = await kh.h.sys.dataSource.getRepository(OutboxMessage).countBy({ channel: 'kf' });
        expect(replies).to.equal(16);
      } finally {
        if (ds2 !== kh.h.sys.dataSource) await ds2.destroy();
      }
    });

    it('handles several conversations in one transaction, and a batch with a broken item falls back to one transaction per item', async () => {
      // 20 conversations over 4 lanes: chunks of 5 items, one transaction each.
      const people = Array.from({ length: 20 }, (_, i) => `wmBatch${i}`);
      // The items are stored as a sync would store them (the sync then finds them known by
      // msgid); one of them unreadable, a payload that is not JSON.
      const repo = kh.h.sys.dataSource.getRepository(KfInboundMessage);
      const at = new Date(Math.floor(kh.h.clock.now.getTime() / 1000) * 1000);
      for (const p of people) {
        const { msgid } = await kh.h.emu.kfCustomerSays(kh.kf, p, '投诉举报', { menuId: 'menu_complain' });
        const item = { msgid, open_kfid: kh.kf, external_userid: p, send_time: at.getTime() / 1000, origin: 3, msgtype: 'text', text: { content: '投诉举报', menu_id: 'menu_complain' } };
        await kh.h.sys.dataSource.getRepository(KfConversation).insert({ openKfId: kh.kf, externalUserId: p, state: null, expiresAt: null, lastCustomerAt: null, sentSince: 0, claimedBy: null, claimedUntil: null, createdAt: at, updatedAt: at });
        await repo.insert({ msgid, openKfId: kh.kf, externalUserId: p, sendTime: at, origin: 3, msgtype: 'text', payload: p === 'wmBatch2' ? '{not json' : JSON.stringify(item), status: 'new', attempts: 0, receivedAt: at, processedAt: null, lastError: null });
      }
      await kh.h.sys.inbox.drain();
      const broken = (await repo.findOneBy({ externalUserId: 'wmBatch2' }))!;
      const first = await kh.worker.runOnce();
      expect(first.processed).to.equal(19);
      await kh.settle();
      for (const p of people.filter((x) => x !== 'wmBatch2')) {
        expect(kh.sent(p), p).to.have.length(1);
        expect(kh.sent(p)[0]).to.contain(T.questions.ground);
      }
      expect(kh.sent('wmBatch2')).to.have.length(0);
      const rows = await repo.find({ where: { openKfId: kh.kf } });
      expect(rows.filter((r) => r.externalUserId !== 'wmBatch2').every((r) => r.status === 'done' && r.attempts === 1)).to.equal(true);
      // The broken item alone is counted: tried up to maxAttempts (3), then set aside.
      const bad = rows.find((r) => r.id === broken.id)!;
      expect(bad.status).to.equal('failed');
      expect(bad.attempts).to.equal(3);
      expect(bad.lastError).to.match(/SyntaxError/);
      expect(await kh.h.sys.dataSource.getRepository(OutboxMessage).countBy({ channel: 'kf' })).to.equal(19);
    });

    it('numbers complaints registered at the same moment without a gap or a clash', async () => {
      const bodies = Array.from({ length: 8 }, (_, i) => ComplaintMother.hotline({ phone: `1390000010${i}`, facts: `第${i}件不同的事情：${'窗口要求证明'.repeat(i + 1)}${i}` }));
      const res = await Promise.all(bodies.map((b) => kh.office.post('/complaints', b)));
      expect(res.map((r) => r.status)).to.deep.equal(Array(8).fill(201));
      expect(res.map((r) => r.body.number).sort()).to.deep.equal(Array.from({ length: 8 }, (_, i) => `TS20261126-000${i + 1}`));
    });
  });
});
