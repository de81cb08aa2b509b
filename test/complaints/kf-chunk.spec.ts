/**
 * The kf worker handles the items of several conversations in one transaction, with the
 * reads and writes they share batched (src/complaints/kf-chunk.ts). Whatever a citizen
 * wrote between two passes, they must get exactly what they would have got with a pass
 * after every message, and the records must be the same.
 */
import { expect } from 'chai';
import { Complaint, ComplaintEvent, KfConversation, OutboxMessage } from '../../entities';
import { GROUND_LABELS } from '../../src/complaints/messages';
import { KfHarness, startKfHarness } from '../helpers/kf';

/** A whole filing, then a remark about the new case and a status question, and a second citizen alongside. */
const filing = (phone: string, place: string): Array<[string, string | undefined]> => [
  ['投诉举报', 'menu_complain'],
  [GROUND_LABELS.still_requires_certificate, 'ground_1'],
  ['县公安局', undefined],
  [`11月20日在${place}办理社保转移，窗口要求到村里开具居住证明。`, undefined],
  ['希望不再要求提供居住证明，尽快办理。', undefined],
  ['张小三', undefined],
  [phone, undefined],
  ['本人', 'proxy_self'],
  ['确认提交', 'confirm_submit'],
  ['另外，窗口工作人员态度也不好。', undefined],
  ['查询进度', 'menu_status'],
];
// Two different people (else the second filing is a duplicate of the first, Art. 9).
const FIRST = filing('13912345678', '北关第一服务点');
const SECOND = filing('13987654321', '北关第二服务点');
const OTHER: Array<[string, string | undefined]> = [
  ['你好', undefined],
  ['投诉举报', 'menu_complain'],
];

const numbersOut = (s: string) => s.replace(/TS\d{8}-\d{4}/g, 'TS…');

describe('complaints: a chunk of several messages and conversations in one transaction', () => {
  let kh: KfHarness;
  before(async () => {
    kh = await startKfHarness();
  });
  after(() => kh.close());
  beforeEach(() => kh.reset());

  /**
   * The replies queued for the citizen, in the outbox's order (what was delivered can differ:
   * WeCom lets 5 messages follow the citizen's latest one, and when every message was written
   * before the first reply, only 5 replies follow the last).
   */
  async function queued(u: string): Promise<string[]> {
    const rows = await kh.h.sys.dataSource.getRepository(OutboxMessage).find({ where: { channel: 'kf' }, order: { id: 'ASC' } });
    return rows.map((r) => JSON.parse(r.payload)).filter((p) => p.touser === u).map((p) => numbersOut(JSON.stringify({ ...p, touser: 'U' })));
  }

  async function records(u: string) {
    const ds = kh.h.sys.dataSource;
    const cases = await ds.getRepository(Complaint).find({ where: { externalUserId: u }, order: { id: 'ASC' } });
    const events = cases.length ? await ds.getRepository(ComplaintEvent).find({ where: cases.map((c) => ({ complaintId: c.id })), order: { id: 'ASC' } }) : [];
    const conv = await ds.getRepository(KfConversation).findOneByOrFail({ openKfId: kh.kf, externalUserId: u });
    return {
      cases: cases.map((c) => [c.status, c.agencyCode, c.certificate, c.facts, c.complainantPhone]),
      events: events.map((e) => [e.type, e.actor.replace(u, 'U'), e.reason]),
      state: conv.state ? Object.keys(JSON.parse(conv.state)).sort() : null,
      window: [conv.sentSince, conv.lastCustomerAt?.getTime()],
    };
  }

  it('every message of a citizen stored before one pass: the same replies, in the same order, and the same records as a pass after each', async () => {
    // One pass after each message.
    for (let i = 0; i < FIRST.length; i++) {
      await kh.say('wmOneByOne', ...FIRST[i]);
      if (OTHER[i]) await kh.say('wmOtherA', ...OTHER[i]);
    }
    const reference = { x: await queued('wmOneByOne'), y: await queued('wmOtherA'), records: await records('wmOneByOne') };
    expect(reference.x).to.have.length(FIRST.length + 1);
    expect(reference.x.join('\n')).to.match(/TS…/);

    // Everything stored first, then handled together.
    for (let i = 0; i < SECOND.length; i++) {
      await kh.h.emu.kfCustomerSays(kh.kf, 'wmAllAtOnce', SECOND[i][0], SECOND[i][1] ? { menuId: SECOND[i][1] } : undefined);
      if (OTHER[i]) await kh.h.emu.kfCustomerSays(kh.kf, 'wmOtherB', OTHER[i][0], OTHER[i][1] ? { menuId: OTHER[i][1] } : undefined);
    }
    await kh.h.sys.inbox.drain();
    const r = await kh.worker.runOnce();
    expect(r.processed).to.equal(SECOND.length + OTHER.length);
    await kh.settle();
    expect(await queued('wmAllAtOnce')).to.deep.equal(reference.x.map((x) => x.replace(/13912345678/g, '13987654321').replace(/北关第一服务点/g, '北关第二服务点')));
    expect(await queued('wmOtherB')).to.deep.equal(reference.y);
    const second = await records('wmAllAtOnce');
    expect(JSON.stringify(second)).to.equal(JSON.stringify(reference.records).replace(/13912345678/g, '13987654321').replace(/北关第一服务点/g, '北关第二服务点'));
  });
});
