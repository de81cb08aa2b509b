import { expect } from 'chai';
import { ExemptionApplication, VerificationRequest } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { directoryHarness } from '../helpers/system';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { cardsTo, mark } from '../helpers/inbox';
import { useOfficeChat } from '../helpers/scheduler';
import { holderCard, liveCards } from '../escalations/holder';
import { APPLICANTS, DAY, WorkingDay, at } from './day-mother';

const ADD_FORM = ['【新增事项】', '事项：失业保险金申领', '材料：户籍证明', '出具单位：县公安局', '方式：部门核验', '依据：《失业保险条例》第十六条', '类别：纸质档案', '原因：法律法规颁布或修订需增加证明材料', '起因日期：2026-11-25', '说明：人口库已可查询'].join('\n');
const OFFICE = ['office.duty', 'office.chief'];

/**
 * Issue 18, "Done when": the working day replayed through the emulator (signed, encrypted
 * callbacks; clicks and texts; the scheduler's sweeps on a fake clock). A liaison with five
 * requests in an hour and a lunch break; deputy A away and B covering; two office members
 * with escalations and an exemption-list review; a requesting unit waiting for its answer.
 */
describe('a working day in WeCom (issue 18)', function () {
  this.timeout(300_000);
  const env = directoryHarness(SchedulerMother.units(), { start: at('08:30') });

  it('fifteen requests: no wrong answer reaches another unit, no stale card, nothing at lunch, 待办 in one message, one escalation card per request per office member', async () => {
    const h = env.h;
    await useOfficeChat(h);
    const key = async (name: string, unit: string) => new Api(h.sys.url, await createApiKey(h.sys.dataSource, name, unit, h.clock.now));
    const day = new WorkingDay(h, { RSJ: await key('rsj-system', 'RSJ'), SCJ: await key('scj-system', 'SCJ'), GAJ: await key('gaj-system', 'GAJ') });
    const L = 'gaj.liaison';
    const B = 'gaj.b';

    // 08:35 deputy A is away until tomorrow, said in the chat; B covers.
    await day.tick('08:35');
    expect((await day.say('gaj.a', '请假至12月2日')).join('\n')).to.include('2026-12-02');

    // 09:00-10:00: five requests in an hour for the police liaison (B gets each card too, A being away).
    const r1 = await day.file('09:00', 'RSJ', 'GAJ');
    expect(holderCard(h, B, r1.id)!.card.main_title.desc, 'B is told why').to.include('请假');
    await day.accept('09:02', L, r1);
    await day.answer('09:05', L, r1);
    const r2 = await day.file('09:10', 'RSJ', 'GAJ');
    await day.accept('09:12', B, r2);
    await day.answer('09:15', B, r2);
    const r3 = await day.file('09:20', 'SCJ', 'GAJ');
    await day.accept('09:22', L, r3);
    await day.giveBack('09:24', L, r3);
    const r4 = await day.file('09:40', 'RSJ', 'GAJ');
    await day.accept('09:41', L, r4);
    await day.answer('09:45', L, r4);
    const r5 = await day.file('09:55', 'SCJ', 'GAJ');

    // r5 is forgotten (2 office hours to complete it cross lunch: 14:00): reminder, warning, the deadline; the office urges and orders; then it is answered.
    for (const t of ['10:00', '10:10', '10:22', '10:25']) await day.tick(t);
    expect(await day.escalations(r5)).to.have.length(1);
    for (const u of OFFICE) expect(await day.liveEscalationCards(r5, u), u).to.have.length(1);
    expect(holderCard(h, L, r5.id)!.card.main_title.title).to.include('已超时');
    await day.office('10:27', 'office.duty', r5, 'urge');
    await day.office('10:30', 'office.chief', r5, 'order');
    expect(holderCard(h, L, r5.id)!.card.sub_title_text, 'the 责成 deadline on the card').to.include('责成12-01 14:00前办结');
    // The requesting unit asks where its request stands.
    await day.tick('10:33');
    expect((await day.say('scj.liaison', `查询 ${r5.number}`)).join('\n')).to.include(r5.number);
    await day.tick('10:35');
    await day.todoLists(L, [r5]);
    await day.todoLists(B, [r5]);
    await day.accept('10:40', L, r5);
    await day.answer('10:45', L, r5);

    const r6 = await day.file('10:50', 'RSJ', 'GAJ');
    await day.accept('10:52', B, r6);
    await day.answer('10:55', B, r6);
    const r7 = await day.file('11:00', 'GAJ', 'RSJ');
    await day.accept('11:03', 'rsj.liaison', r7);
    await day.answer('11:06', 'rsj.liaison', r7);

    // 11:10 the exemption list: the requesting unit's liaison applies in the chat, the office reviews on the card.
    await day.tick('11:10');
    await day.say('rsj.liaison', '清单调整');
    const start = cardsTo(h, 'rsj.liaison', day.start).pop()!;
    await day.click('rsj.liaison', start.taskId, start.card.button_list.find((b: any) => String(b.key).endsWith('.add')).key);
    await day.say('rsj.liaison', ADD_FORM);
    const confirm = cardsTo(h, 'rsj.liaison', day.start).pop()!;
    await day.click('rsj.liaison', confirm.taskId, confirm.card.button_list[0].key);
    await day.tick('11:20');
    const review = cardsTo(h, 'office.chief', day.start).filter((c) => c.card.button_list?.length && !c.taskId.startsWith('esc')).pop()!;
    await day.click('office.chief', review.taskId, review.card.button_list[0].key);
    expect((await h.sys.dataSource.getRepository(ExemptionApplication).find())[0]).to.deep.include({ status: 'approved', reviewedBy: 'office.chief' });

    // Just before lunch: due 13:45 in office time; the sweeps over lunch send nothing.
    const r8 = await day.file('11:45', 'RSJ', 'GAJ');
    const lunch = mark(h);
    for (const t of ['12:00', '12:10', '12:40', '13:00', '13:20']) await day.tick(t);
    expect(mark(h), 'nothing sent over lunch').to.equal(lunch);
    await day.accept('13:35', L, r8);
    await day.answer('13:40', L, r8);

    const r9 = await day.file('13:50', 'SCJ', 'GAJ');
    await day.accept('13:52', L, r9);
    await day.answer('13:55', L, r9);
    // r10 is late too: B holds it with the liaison; the other office member urges.
    const r10 = await day.file('14:00', 'RSJ', 'GAJ');
    const r11 = await day.file('14:10', 'GAJ', 'SCJ');
    await day.accept('14:12', 'scj.liaison', r11);
    await day.answer('14:15', 'scj.liaison', r11);
    for (const t of ['14:20', '14:27', '14:30']) await day.tick(t);
    for (const u of OFFICE) expect(await day.liveEscalationCards(r10, u), u).to.have.length(1);
    await day.office('14:35', 'office.chief', r10, 'urge');
    await day.accept('14:40', B, r10);
    await day.answer('14:45', B, r10);
    const r12 = await day.file('14:50', 'RSJ', 'GAJ');
    await day.accept('14:52', L, r12);
    await day.answer('14:56', L, r12);
    const r13 = await day.file('15:10', 'RSJ', 'GAJ');
    await day.accept('15:12', B, r13);
    await day.giveBack('15:15', B, r13);
    const r14 = await day.file('15:30', 'SCJ', 'GAJ');
    await day.accept('15:32', B, r14);
    await day.answer('15:36', B, r14);
    const r15 = await day.file('16:00', 'RSJ', 'GAJ', { category: 'paper' });
    await day.accept('16:05', L, r15);

    // 17:20: the last sweep of the day. Each person finds their open work in one message.
    await day.tick('17:20');
    await day.todoLists(L, [r15]);
    await day.todoLists(B, []);
    await day.todoLists('rsj.liaison', []);

    expect(day.requests).to.have.length(15);
    const reqs = await h.sys.dataSource.getRepository(VerificationRequest).find();
    const finished = day.requests.filter((r) => reqs.find((x) => x.id === r.id)!.status !== 'accepted');
    expect(finished).to.have.length(14);

    // No wrong answer: every message names only requests of the recipient's unit (or goes to the office).
    const units = await day.staffUnits();
    const byNumber = new Map(day.requests.map((r) => [r.number, r]));
    const msgs = day.messages();
    for (const m of msgs) {
      const unit = units.get(m.touser);
      for (const n of m.text.match(/HC\d{8}-\d{4}/g) ?? []) {
        const r = byNumber.get(n);
        if (!r || unit === 'OFFICE') continue;
        expect([r.requester, r.issuer], `${m.touser} got ${n}`).to.include(unit);
      }
      // Names and ID numbers are masked in every card and text.
      for (const name of APPLICANTS) expect(m.text, `${m.touser}: ${name}`).not.to.include(name);
    }

    // No stale card: every card of a finished request, on every phone, has lost its buttons.
    for (const r of finished) {
      for (const u of units.keys()) expect(liveCards(h, u, r.id), `${u}: ${r.number}`).to.deep.equal([]);
      for (const u of OFFICE) expect(await day.liveEscalationCards(r, u), `${u}: escalation card of ${r.number}`).to.deep.equal([]);
    }
    expect(liveCards(h, L, r15.id), 'the open request keeps its card').to.have.length(1);

    // One escalation card per late request per office member.
    for (const r of [r5, r10]) {
      for (const u of OFFICE) {
        const ids = (await day.escalations(r)).map((e) => e.id);
        expect(cardsTo(h, u, day.start).filter((c) => ids.some((e) => c.taskId.startsWith(`esc${e}_`))), `${u}: ${r.number}`).to.have.length(1);
      }
    }

    // Nothing sent during lunch, by anyone: no message and no card update.
    const noon = Date.parse(at('12:00'));
    const afternoon = Date.parse(at('13:30'));
    expect(msgs.filter((m) => m.at >= noon && m.at < afternoon)).to.deep.equal([]);
    expect(day.updates().filter((u) => u.at >= noon && u.at < afternoon)).to.deep.equal([]);

    // About 160 app messages in the day, as the issue counted.
    expect(msgs.length, `${msgs.length} messages on ${DAY}`).to.be.within(120, 240);
    const liaison = msgs.filter((m) => m.touser === L).length;
    expect(liaison, 'the liaison was not flooded').to.be.below(70);
  });
});

