import crypto from 'crypto';
import { expect } from 'chai';
import { autoAnsweredCard } from '../../cards/data-service.card';
import { verificationRequestCard } from '../../cards/verification.card';
import { validateTemplateCard } from '../../src/sandbox';
import { DS_TEXT, failureWord } from '../../src/data-services/messages';
import { LookupRunner, lookupWorker } from '../../src/data-services/lookup';
import { Guards } from '../../src/data-services/guard';
import { DataServiceLookup } from '../../entities';
import { cardView, idNumber } from '../helpers/mothers/verification';
import { expectGolden } from '../helpers/golden';
import { directoryHarness } from '../helpers/system';
import { SchedulerMother } from '../helpers/mothers/scheduler';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { createRequest } from '../helpers/scheduler';
import { TestDataService } from '../helpers/data-service';
import { DataServiceMother } from '../helpers/mothers/data-services';

const NOW = new Date('2026-11-26T01:00:00Z');

const view = cardView;

/** What a lock screen shows first: the title, then the description. */
const lead = (card: any) => [...`${card.main_title?.title ?? ''} ${card.main_title?.desc ?? ''}`].slice(0, 40).join('');

describe('data services: the cards of an automatic answer and of a failed lookup (golden files)', () => {
  const cards: Array<[string, Record<string, unknown>]> = [
    ['verification-auto-answered-match', autoAnsweredCard(view(), 'vr42_0_0', 'match', '经核查，张小三无犯罪记录', NOW)],
    ['verification-auto-answered-mismatch', autoAnsweredCard(view(), 'vr42_0_0', 'mismatch', `身份证号码${idNumber()}的户籍登记信息与申请信息不一致`, NOW)],
    ['verification-request-lookup-failed', verificationRequestCard(view(), 'vr42_0_0', NOW, DS_TEXT.lookupFailed(failureWord('timeout')))],
  ];
  for (const [name, card] of cards) {
    it(`${name}: matches its golden file, is a valid template_card, masks the applicant, leads with unit, item and result or deadline`, () => {
      expectGolden(name, card);
      expect(validateTemplateCard(card)).to.equal(0);
      const text = JSON.stringify(card);
      expect(text).not.to.include(idNumber());
      expect(text).not.to.include('张小三');
      const l = lead(card);
      expect(l).to.include('县人力资源和社').and.include('失业保险金申领');
      expect(l).to.match(name.includes('auto') ? /自动答复核验(一致|不一致)/ : /截止\d\d-\d\d \d\d:\d\d/);
    });
  }

  it('the automatic-answer card says until when it can be changed, and carries only 改判', () => {
    const card = autoAnsweredCard(view(), 'vr42_0_0', 'match', null, NOW) as any;
    expect(card.main_title.desc).to.include('11-26 09:30前可改判');
    expect(card.button_list).to.deep.equal([{ text: '改判', style: 2, key: 'verif_act:42:override' }]);
    expect(card).not.to.have.property('sub_title_text');
  });

  it('a failure is shown as one neutral word, never the service\'s text', () => {
    expect(['unknown', 'timeout', 'circuit_open', 'busy', 'http_500', 'garbage', 'network_econnreset', 'sql_er_parse_error', 'interrupted'].map(failureWord)).to.deep.equal([
      '无匹配记录',
      '查询超时',
      '服务暂停',
      '服务繁忙',
      '服务异常',
      '服务异常',
      '服务异常',
      '服务异常',
      '查询中断',
    ]);
  });
});

describe('data services: the lookup worker is woken when a request commits, not at its next poll', function () {
  this.timeout(30_000);
  const env = directoryHarness(SchedulerMother.units());

  it('answers a new request with the worker polling only once an hour', async () => {
    const h = env.h;
    (h.sys.config as { dataServiceKey: Buffer | null }).dataServiceKey = crypto.randomBytes(32);
    const office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
    const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj', 'RSJ', h.clock.now));
    const svc = new TestDataService('test-secret-of-gaj-0123456789', () => Math.floor(h.clock.now.getTime() / 1000));
    expect((await office.post('/data-services', DataServiceMother.http({ url: await svc.listen(), secret: 'test-secret-of-gaj-0123456789' }))).status).to.equal(201);
    const worker = lookupWorker(new LookupRunner(h.sys.deps, new Guards()), h.sys.dataSource, 3600_000);
    worker.start(() => {});
    try {
      const r = await createRequest(rsj);
      const repo = h.sys.dataSource.getRepository(DataServiceLookup);
      let row: DataServiceLookup | null = null;
      for (let i = 0; i < 200 && row?.status !== 'answered'; i++) {
        await new Promise((res) => setTimeout(res, 50));
        row = await repo.findOneBy({ requestId: r.id });
      }
      expect(row?.status, 'answered after the wake-up, long before the hourly poll').to.equal('answered');
      expect(svc.calls).to.have.length(1);
    } finally {
      await worker.stop();
      await svc.close();
    }
  });
});
