import { expect } from 'chai';
import { Module } from '../../src/module';
import { MODULES, collectJobs } from '../../src/modules';
import { createApiKey } from '../../src/http/auth';
import { directoryHarness } from '../helpers/system';
import { Api } from '../helpers/api';
import { ExemptionMother, exemptionUnits } from '../helpers/mothers/exemptions';
import { cardsTo, mark, textsTo } from '../helpers/inbox';
import { Line, sweep } from '../helpers/scheduler';
import { publishEntries } from '../helpers/seed';

/** Modules whose register() fails: collecting jobs must not build routers or handlers. */
function unregistrable(modules: Module[]): Module[] {
  return modules.map((m) => ({
    ...m,
    register: () => {
      throw new Error(`${m.name} was registered`);
    },
  }));
}

const of = (lines: Line[], job: string) => lines.filter((l) => l.job === job);

describe('the sweep collects every job the modules declare', () => {
  const env = directoryHarness(exemptionUnits());

  it('runs each declared job, once, in module order; the CLI collects the same without registering a module', () => {
    const h = env.h;
    const declared = MODULES.flatMap((m) => (m.jobs?.(h.sys.deps) ?? []).map((j) => `${m.name}:${j.name}`));
    const names = declared.map((d) => d.split(':')[1]);
    expect(h.sys.jobs.map((j) => j.name)).to.deep.equal(names);
    expect(new Set(names).size, 'job names are unique').to.equal(names.length);
    expect(declared).to.include.members([
      'calendar-admin:calendar-coverage',
      'verification:verification-card-repair',
      'complaints:complaint-deadlines',
      'exemptions:exemption-reminders',
      'escalations:deadlines-discover',
      'escalations:deadlines-stages',
      'escalations:deadlines-announce',
      'supervision:supervision-weekly',
      'meeting:meeting-reminders',
    ]);
    expect(collectJobs(h.sys.deps, unregistrable(MODULES)).map((j) => j.name)).to.deep.equal(names);
  });

  it('the exemption list reminders fire from the sweep at their instant, each once (SPEC 2 Art. 5, Art. 9)', async () => {
    const h = env.h;
    const office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    // Last published half a year ago today at 09:00: the publication is due at 09:00.
    await publishEntries(h.sys.dataSource, ExemptionMother.many(2), new Date('2026-05-26T09:00:00+08:00'));
    // A cause of 25 November: the application is due 4 December, the reminder 3 December 08:30.
    const cause = await office.post('/exemptions/causes', { unitCode: 'RSJ', causeDate: '2026-11-25', note: '《失业保险条例》修订' });
    expect(cause.status, JSON.stringify(cause.body)).to.equal(201);
    const since = mark(h);

    expect(of(await sweep(h, '2026-11-26T08:59:00+08:00'), 'exemption-reminders'), 'not due yet').to.deep.equal([]);
    const due = of(await sweep(h, '2026-11-26T09:00:00+08:00'), 'exemption-reminders');
    expect(due).to.have.length(1);
    expect(due[0]).to.deep.include({ action: 'publication_reminder', lastVersion: 1, outcome: 'reminded', recipients: ['office.chief', 'office.duty'] });
    expect(of(await sweep(h, '2026-11-26T09:01:00+08:00'), 'exemption-reminders'), 'once a month').to.deep.equal([]);
    for (const u of ['office.chief', 'office.duty']) expect(textsTo(h, u, since).filter((t) => t.includes('2026-11-26')), u).to.have.length(1);

    expect(of(await sweep(h, '2026-12-03T08:29:00+08:00'), 'exemption-reminders'), 'not due yet').to.deep.equal([]);
    const reminded = of(await sweep(h, '2026-12-03T08:30:00+08:00'), 'exemption-reminders');
    expect(reminded).to.deep.equal([
      { job: 'exemption-reminders', action: 'application_reminder', applicationId: cause.body.id, unitCode: 'RSJ', causeDate: '2026-11-25', dueAt: '2026-12-04T09:30:00.000Z', recipients: ['rsj.liaison'], outcome: 'reminded' },
    ]);
    expect(of(await sweep(h, '2026-12-03T09:30:00+08:00'), 'exemption-reminders'), 'once').to.deep.equal([]);
    const cards = cardsTo(h, 'rsj.liaison', since);
    expect(cards).to.have.length(1);
    expect(cards[0].card.main_title.title).to.equal('清单调整申请即将到期');
    for (const u of ['office.chief', 'office.duty']) expect(textsTo(h, u, since).filter((t) => t.includes('2026-11-26')), `${u}: still once`).to.have.length(1);
  });
});
