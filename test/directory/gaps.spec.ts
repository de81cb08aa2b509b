import { expect } from 'chai';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { run } from '../../src/cli';
import { sharedTestUrl } from '../helpers/db';
import { DirectoryMother } from '../helpers/mothers/directory';
import { Api } from '../helpers/api';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { noOfficeGroup, sweep, useOfficeChat } from '../helpers/scheduler';
import { mark, textsTo } from '../helpers/inbox';

describe('directory: a staffing gap reaches the office when it appears, and in the weekly summary (SPEC 1 Art. 6)', () => {
  let h: Harness;
  let office: Api;
  let since = 0;
  const units = SchedulerMother.units();
  const env = directoryHarness(units);
  const gapTexts = () => textsTo(h, 'office.duty', since).filter((t) => t.includes('人员配备不足'));

  beforeEach(async () => {
    h = env.h;
    noOfficeGroup(h);
    office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    since = mark(h);
  });

  it('API changes: told once when a gap appears, again only when another flag appears, never on an edit that adds none', async () => {
    expect((await office.call('DELETE', '/units/GAJ/staff/gaj.b')).status).to.equal(204);
    await h.sys.settle();
    let told = gapTexts();
    expect(told, 'one message to the office member').to.have.length(1);
    expect(told[0].slice(0, 40)).to.include('人员配备不足').and.include('县公安局');
    expect(told[0]).to.include('代办员不足2人').and.include('无B角').and.not.include('13800001111');

    // an edit of the same unit that adds no flag says nothing
    expect((await office.put('/units/GAJ/staff/gaj.liaison', { name: '公安联络员', role: 'liaison', mobile: '13900002222' })).status).to.equal(200);
    expect((await office.put('/units/GAJ', { name: '县公安局' })).status).to.equal(200);
    await h.sys.settle();
    expect(gapTexts()).to.have.length(1);

    // a new flag is a new appearance
    await office.put('/units/GAJ/staff/gaj.a', { name: '公安代办A', role: 'member' });
    await h.sys.settle();
    told = gapTexts();
    expect(told).to.have.length(2);
    expect(told[1]).to.include('无A角');

    // filling the gap says nothing; losing it again is told again
    await office.put('/units/GAJ/staff/gaj.b', { name: '公安代办B', role: 'deputy', ab: 'B' });
    await office.put('/units/GAJ/staff/gaj.a', { name: '公安代办A', role: 'deputy', ab: 'A' });
    await h.sys.settle();
    expect(gapTexts()).to.have.length(2);
    // a person moved to another unit leaves the old one short
    await office.put('/units/SCJ/staff/gaj.liaison', { name: '公安联络员', role: 'liaison' });
    await h.sys.settle();
    told = gapTexts();
    expect(told).to.have.length(3);
    expect(told[2]).to.include('县公安局').and.include('无联络员').and.not.include('县市场局');
    // a new empty unit is not told at once (its staff come next); the weekly summary lists it
    await office.put('/units/NEW', { name: '县新设局' });
    await h.sys.settle();
    expect(gapTexts()).to.have.length(3);
  });

  it('with an office group the gap goes to the group, not to each member', async () => {
    const chat = await useOfficeChat(h);
    const before = h.emu.appchatMessages(chat).length;
    await office.call('DELETE', '/units/RSJ/staff/rsj.liaison');
    await h.sys.settle();
    const msgs = h.emu.appchatMessages(chat).slice(before).map((m) => String(m.payload.content));
    expect(msgs).to.have.length(1);
    expect(msgs[0]).to.include('人员配备不足：县人社局').and.include('无联络员');
    expect(gapTexts()).to.have.length(0);
  });

  it('the import (nocert directory import) tells a gap it creates, once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-gaps-'));
    const file = path.join(dir, 'd.csv');
    const rsj = units.find((u) => u.code === 'RSJ')!;
    const thin = [{ ...rsj, staff: rsj.staff.filter((s) => s.ab !== 'B').map((s) => (s.ab === 'A' ? { ...s, role: 'member' as const, ab: null } : s)) }, DirectoryMother.thin()];
    fs.writeFileSync(file, DirectoryMother.csv(thin));
    const io = { out: () => undefined, err: (s: string) => expect.fail(s) };
    const cli = { DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'silent', PUBLIC_URL: 'http://nocert.test' };
    expect(await run(['directory', 'import', file], cli, io)).to.equal(0);
    // the command runs on the wall clock: its messages are due from then
    h.clock.set(new Date(Date.now() + 1000));
    await h.sys.settle();
    let told = gapTexts();
    expect(told).to.have.length(1);
    expect(told[0]).to.include('县人社局：代办员不足2人、无A角\n').and.include('县民政局：代办员不足2人、无A角、无B角');
    expect(await run(['directory', 'import', file], cli, io)).to.equal(0);
    await h.sys.settle();
    told = gapTexts();
    expect(told, 'the same file again: nothing new appeared').to.have.length(1);
  });

  it('the weekly summary lists every unit still below the minimum', async () => {
    const chat = await useOfficeChat(h);
    await office.call('DELETE', '/units/SCJ/staff/scj.a');
    await sweep(h, '2026-11-30T09:00:00+08:00');
    const weekly = h.emu.appchatMessages(chat).map((m) => String(m.payload.content)).filter((c) => c.includes('周报'));
    expect(weekly).to.have.length(1);
    expect(weekly[0]).to.include('人员配备不足的单位').and.include('县市场局：代办员不足2人、无A角').and.not.include('县公安局：');
  });
});
