import { expect } from 'chai';
import { directoryHarness, Harness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { VerificationEvent } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { VerificationMother } from '../helpers/mothers/verification';
import { Api } from '../helpers/api';
import { cardOf, noticesTo } from '../helpers/inbox';

/** WECOM.md section 4: a response_code works once, for 72 h; past that, a fresh card. */
describe('verification: updating the other recipients\' cards (response_code rules)', () => {
  let h: Harness;
  let rsj: Api;
  const units = DirectoryMother.standard();

  const env = directoryHarness(units);
  beforeEach(async () => {
    h = env.h;
    rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
  });

  async function create() {
    const res = await rsj.post('/verifications', VerificationMother.body({ category: 'historical' }));
    await h.sys.settle();
    return res.body as { id: number; number: string };
  }

  it('uses the send response_code while it is younger than 72 h', async () => {
    const { id } = await create();
    h.clock.set('2026-11-28T09:00:00+08:00');
    await h.emu.clickButton('gaj.liaison', cardOf(h, 'gaj.liaison', id)!.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    expect(h.emu.cardState('gaj.a', cardOf(h, 'gaj.a', id)!.taskId)!.replace_name).to.equal('已由公安联络员受理');
    expect(noticesTo(h, 'gaj.a', id)).to.have.length(0);
  });

  it('sends a fresh card when the send response_code is older than 72 h', async () => {
    const { id } = await create();
    h.clock.set('2026-11-29T09:30:00+08:00');
    await h.emu.clickButton('gaj.liaison', cardOf(h, 'gaj.liaison', id)!.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    const aTask = cardOf(h, 'gaj.a', id)!.taskId;
    expect(h.emu.cardState('gaj.a', aTask)!.replace_name, 'the old card is not touched').to.be.undefined;
    const fresh = noticesTo(h, 'gaj.a', id);
    expect(fresh).to.have.length(1);
    expect(fresh[0].main_title.desc).to.equal('已由公安联络员受理');
    expect(h.emu.cardState('gaj.liaison', cardOf(h, 'gaj.liaison', id)!.taskId)!.replace_name, 'the clicker\'s own code is fresh').to.equal('已受理');
    // A late click on the old card is still answered politely on that card.
    await h.emu.clickButton('gaj.a', aTask, `verif_accept:${id}`);
    await h.sys.settle();
    expect(h.emu.cardState('gaj.a', aTask)!.replace_name).to.equal('已由公安联络员受理');
  });

  it('when WeCom answers 60140 to an update, the card-repair job sends a fresh card, once', async () => {
    const { id } = await create();
    h.emu.injectError('/cgi-bin/message/update_template_card', 60140, 2);
    await h.emu.clickButton('gaj.liaison', cardOf(h, 'gaj.liaison', id)!.taskId, `verif_accept:${id}`);
    await h.sys.settle();
    expect(noticesTo(h, 'gaj.a', id)).to.have.length(0);
    const job = h.sys.jobs.find((j) => j.name === 'verification-card-repair')!;
    const lines = await job.run(h.clock.now);
    expect(lines.map((l) => l.userid).sort()).to.deep.equal(['gaj.a', 'gaj.liaison']);
    await h.sys.settle();
    expect(noticesTo(h, 'gaj.a', id).map((c) => c.main_title.desc)).to.deep.equal(['已由公安联络员受理']);
    expect(noticesTo(h, 'gaj.liaison', id).map((c) => c.main_title.desc)).to.deep.equal(['已受理']);
    expect(await job.run(h.clock.now)).to.deep.equal([]);
    await h.sys.settle();
    expect(noticesTo(h, 'gaj.a', id)).to.have.length(1);
    expect(await h.sys.dataSource.getRepository(VerificationEvent).countBy({ requestId: id, type: 'card_refreshed' })).to.equal(2);
  });
});
