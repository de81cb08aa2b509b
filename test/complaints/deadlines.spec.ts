import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { AgencyUnits, ComplaintMother } from '../helpers/mothers/complaints';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { Api } from '../helpers/api';
import { mark, textsTo } from '../helpers/inbox';
import { sweep, useOfficeChat } from '../helpers/scheduler';

describe('scheduler: complaint deadlines through the complaints module queries (SPEC 3 Art. 7, 10)', () => {
  let h: Harness;
  let office: Api;
  let since = 0;
  const units = [...AgencyUnits.county().filter((u) => u.code !== 'OFFICE'), SchedulerMother.units().find((u) => u.code === 'OFFICE')!];
  const t = (d: string, hhmm: string) => `${d}T${hhmm}:00+08:00`;

  const env = directoryHarness(units, { start: t('2026-11-26', '10:00') });
  beforeEach(async () => {
    h = env.h;
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office-console', null, h.clock.now));
    await useOfficeChat(h);
    since = mark(h);
  });

  it('reminds the agency a working day ahead, reports the overdue case once, tells the office of a case nobody accepted', async () => {
    const a = (await office.post('/complaints', ComplaintMother.hotline())).body;
    const b = (await office.post('/complaints', ComplaintMother.letter())).body;
    expect((await office.post(`/complaints/${a.id}/accept`)).status).to.equal(200);
    // b stays registered: nobody accepted or refused it by the end of the next working day.
    await sweep(h, t('2026-11-27', '17:30'));
    expect(textsTo(h, 'office.duty', since).filter((x) => x.includes(b.number)), 'office closed').to.deep.equal([]);
    await sweep(h, t('2026-11-30', '08:30'));
    expect(textsTo(h, 'office.duty', since).filter((x) => x.includes(b.number))).to.deep.equal([`【投诉待受理】投诉举报 ${b.number} 登记后尚未受理或作出不予受理决定，请及时处理（投诉举报办法第七条）。`]);
    // a is due at the close of the 5th working day after acceptance (2026-12-03 17:30).
    await sweep(h, t('2026-12-02', '17:00'));
    expect(textsTo(h, 'hrss.liaison', since).filter((x) => x.startsWith('【投诉办理提醒】'))).to.deep.equal([]);
    await sweep(h, t('2026-12-03', '09:00'));
    await sweep(h, t('2026-12-03', '10:00'));
    expect(textsTo(h, 'hrss.liaison', since).filter((x) => x.startsWith('【投诉办理提醒】'))).to.deep.equal([`【投诉办理提醒】投诉举报 ${a.number} 须于 2026-12-03 17:30 前办结并告知投诉人（投诉举报办法第十条）。`]);
    await sweep(h, t('2026-12-03', '20:00'));
    expect(textsTo(h, 'hrss.liaison', since).filter((x) => x.startsWith('【投诉办理超时】')), 'not at night').to.deep.equal([]);
    const lines = await sweep(h, t('2026-12-04', '08:30'));
    expect(lines.find((l) => l.action === 'complaint_overdue')).to.deep.include({ number: a.number, group: 'appchat', to: ['hrss.liaison'] });
    await sweep(h, t('2026-12-04', '09:00'));
    expect(textsTo(h, 'hrss.liaison', since).filter((x) => x.startsWith('【投诉办理超时】'))).to.have.length(1);
    const group = h.emu.appchatMessages(SchedulerMother.officeChatId).filter((m) => String(m.payload.content).includes(`投诉举报超时 ${a.number}`));
    expect(group).to.have.length(1);
    expect(group[0].payload.content).not.to.include('张小三').and.not.include('13812345678');
    expect(textsTo(h, 'office.duty', since).filter((x) => x.includes(b.number)), 'told once').to.have.length(1);
  });
});
