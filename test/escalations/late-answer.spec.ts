import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { OfficeOrder, OutboxMessage, Staff, Summons, VerificationEvent } from '../../entities';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { lastCard, mark, textsTo } from '../helpers/inbox';
import { accept, answer, createRequest, escalatedRequest, useOfficeChat } from '../helpers/scheduler';

describe('escalations: Art. 11 after a late answer (责成限时办结, 约谈 as a record)', () => {
  let h: Harness;
  let rsj: Api;
  let office: Api;
  const units = SchedulerMother.units();
  const env = directoryHarness(units, { start: '2026-12-01T09:00:00+08:00' });
  const t = (hhmm: string, day = '2026-12-01') => `${day}T${hhmm}:00+08:00`;

  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    await useOfficeChat(h);
  });

  /** A digital request escalated at 09:30 and answered late at 09:40. */
  async function answeredLate() {
    const r = await escalatedRequest(h, rsj, (x) => t(x));
    const esc = r.esc;
    h.clock.set(t('09:40'));
    await accept(h, 'gaj.a', r.id);
    await answer(h, 'gaj.a', r.number);
    return { ...r, esc };
  }

  async function counts() {
    const ds = h.sys.dataSource;
    return { orders: await ds.getRepository(OfficeOrder).count(), summons: await ds.getRepository(Summons).count(), outbox: await ds.getRepository(OutboxMessage).count(), events: await ds.getRepository(VerificationEvent).count() };
  }

  it('after a late answer the office orders rectification and records a 约谈 from the card; the unit is told; the record is listed and exported', async () => {
    const { id, number, esc } = await answeredLate();
    const since = mark(h);
    // 责成 on the closed request: recorded and told, no tracker restarted.
    h.clock.set(t('10:00'));
    const chief = lastCard(h, 'office.chief', `esc${esc.id}_`)!;
    await h.emu.clickButton('office.chief', chief.taskId, `office_order:${esc.id}`, { selectedItems: [{ questionKey: 'complete_by', optionIds: ['3d'] }] });
    await h.sys.settle();
    expect(textsTo(h, 'gaj.liaison', since).join('\n')).to.include(`【责成限时办结】县人社局「失业保险金申领」须于 2026-12-04 17:30 前完成整改：协查 ${number} 逾期答复`);
    expect(textsTo(h, 'office.chief', since)).to.deep.equal([`已责成于 2026-12-04 17:30 前办结协查 ${number}，到期未办结将再次报告。`]);

    // 约谈 asks for confirmation and the effect; the reply records it.
    const duty = lastCard(h, 'office.duty', `esc${esc.id}_`)!;
    const m1 = mark(h);
    await h.emu.clickButton('office.duty', duty.taskId, `office_summons:${esc.id}`);
    await h.sys.settle();
    const asked = textsTo(h, 'office.duty', m1);
    expect(asked).to.have.length(1);
    expect(asked[0]).to.include(`确认就协查 ${number}（县公安局）报请县政府约谈`).and.include('请回复约谈事由');
    expect(await h.sys.dataSource.getRepository(Summons).count(), 'nothing recorded before the reason').to.equal(0);
    await h.emu.sendText('office.duty', '群众办事往返三次，被媒体报道');
    await h.sys.settle();
    expect(textsTo(h, 'office.duty', m1).slice(1)).to.deep.equal([`已记录协查 ${number} 的约谈请求，待报县政府。`]);
    const liaisonTexts = textsTo(h, 'gaj.liaison', m1).join('\n');
    expect(liaisonTexts).to.include(`【约谈】县人社局「失业保险金申领」协查 ${number} 逾期答复，联席会议办公室已提请县政府约谈 公安代办A。事由：群众办事往返三次，被媒体报道`);
    expect(textsTo(h, 'gaj.a', m1).join('\n'), 'the person summoned is told').to.include('【约谈】');
    expect(h.emu.cardState('office.duty', duty.taskId)!.card.sub_title_text).to.include('约谈');

    // Listed through the API, decided by the county government, exported.
    const list = await office.get('/summons?unit=GAJ&period=2026-12');
    expect(list.status).to.equal(200);
    expect(list.body.summons).to.have.length(1);
    expect(list.body.summons[0]).to.deep.include({ requestId: id, number, unit: 'GAJ', person: { userid: 'gaj.a', name: '公安代办A' }, effect: '群众办事往返三次，被媒体报道', decision: null, heldOn: null });
    expect((await office.get('/summons?unit=SCJ&period=2026-12')).body.summons).to.deep.equal([]);
    expect((await rsj.get('/summons')).status, 'a unit key may not list').to.equal(403);
    const dec = await office.post(`/summons/${list.body.summons[0].id}/decision`, { decision: 'approved', heldOn: '2026-12-08', note: '县政府同意' });
    expect(dec.status, JSON.stringify(dec.body)).to.equal(200);
    expect(dec.body).to.deep.include({ decision: 'approved', heldOn: '2026-12-08', decisionNote: '县政府同意', decidedBy: 'api:office-console' });
    const xlsx = await office.get('/stats/verifications/export?from=2026-12-01&to=2026-12-31');
    expect(xlsx.status).to.equal(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.raw as any);
    const sheet = wb.getWorksheet('约谈记录')!;
    expect(sheet, 'the export has a summons sheet').to.exist;
    const row = (sheet.getRow(2).values as unknown[]).slice(1);
    expect(row).to.deep.equal([number, 'GAJ', '公安代办A', '群众办事往返三次，被媒体报道', `协查 ${number} 逾期答复造成不良影响，提请县政府约谈县公安局相关责任人。`, 'office.duty', '2026-12-01 10:00', '同意约谈', '2026-12-08']);
  });

  it('refusals: a 约谈 on a request answered on time, an office action 30 days after the close, a click from a non-office member; each changes nothing', async () => {
    const { number, esc } = await answeredLate();
    // On time: created at 09:40, answered at 09:45, before 10:10.
    const onTime = await createRequest(rsj);
    await h.sys.settle();
    h.clock.set(t('09:45'));
    await accept(h, 'gaj.a', onTime.id);
    await answer(h, 'gaj.a', onTime.number);
    let before = await counts();
    const res = await office.post('/summons', { number: onTime.number, effect: '影响' });
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('summons_not_late');
    expect(await counts()).to.deep.equal(before);

    // A non-office member's click (the chief moved to another unit) is refused.
    await h.sys.dataSource.getRepository(Staff).update({ userid: 'office.chief' }, { unitCode: 'SCJ' });
    const chief = lastCard(h, 'office.chief', `esc${esc.id}_`)!;
    before = await counts();
    let m0 = mark(h);
    await h.emu.clickButton('office.chief', chief.taskId, `office_summons:${esc.id}`);
    await h.sys.settle();
    expect(textsTo(h, 'office.chief', m0)).to.deep.equal(['只有联席会议办公室成员可以办理督办事项。']);
    expect((await counts()).summons).to.equal(before.summons);
    expect((await counts()).orders).to.equal(before.orders);

    // 31 days after the close: refused from the card and the API.
    h.clock.set(t('10:00', '2027-01-01'));
    const duty = lastCard(h, 'office.duty', `esc${esc.id}_`)!;
    before = await counts();
    m0 = mark(h);
    await h.emu.clickButton('office.duty', duty.taskId, `office_order:${esc.id}`);
    await h.sys.settle();
    expect(textsTo(h, 'office.duty', m0)).to.deep.equal([`协查 ${number} 办结已超过30天，不能再责成或约谈。`]);
    const late = await office.post(`/escalations/${esc.id}/summons`, { note: '影响' });
    expect(late.status).to.equal(409);
    expect(late.body.error.code).to.equal('office_action_window_over');
    const after = await counts();
    expect(after.orders).to.equal(before.orders);
    expect(after.summons).to.equal(before.summons);
    expect(after.events).to.equal(before.events);
  });
});
