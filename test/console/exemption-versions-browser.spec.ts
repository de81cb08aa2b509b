import path from 'path';
import { expect } from 'chai';
import { ExemptionApplication, ExemptionVersion } from '../../entities';
import { createApiKey } from '../../src/http/auth';
import { Api } from '../helpers/api';
import { ExemptionMother } from '../helpers/mothers/exemptions';
import type { Harness } from '../helpers/system';
import { seedConsole } from './console-mother';
import { SHOTS, browserHarness } from './browser-mother';

// Page-side code below runs in the browser; this name exists there (the project compiles without the DOM lib).
declare const document: any;

/** Version 1 holds one entry; 人社局's application to add 失业保险金申领 waits for review. */
async function seed(h: Harness): Promise<{ appId: number }> {
  await seedConsole(h);
  const office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
  const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-list', 'RSJ', h.clock.now));
  const first = await office.post('/exemptions/applications', ExemptionMother.addBody({ serviceItem: '低保申请', certificate: '收入证明', unitCode: 'RSJ' }));
  if (first.status !== 201) throw new Error(JSON.stringify(first.body));
  await office.post(`/exemptions/applications/${first.body.id}/review`, { decision: 'approve' });
  if ((await office.post('/exemptions/publish', { note: '首版' })).status !== 201) throw new Error('publish v1');
  const res = await rsj.post('/exemptions/applications', ExemptionMother.addBody());
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  await h.sys.settle();
  return { appId: res.body.id };
}

describe('console in a real headless Chromium: the exemption list from review to a published version', function () {
  this.timeout(120_000);
  const env = browserHarness(seed);

  it('the office approves an application, sees it in the draft diff, publishes, compares the two versions, and the public finds the entry', async () => {
    const { appId } = env.seeded;
    const page = await env.signIn(1280);
    await page.goto(`${env.h.sys.url}/console/exemptions`);
    const review = page.getByRole('form', { name: `审核决定 ${appId}` });
    await review.getByLabel('审核决定').selectOption('approve');
    await review.getByRole('button', { name: '提交' }).click();
    await page.getByText('已通过，调整已进入工作清单，待下次公布。').waitFor();
    expect((await env.h.sys.dataSource.getRepository(ExemptionApplication).findOneByOrFail({ id: appId })).status).to.equal('approved');

    await page.getByRole('navigation', { name: '清单子页面' }).getByRole('link', { name: '工作清单与公布' }).click();
    await page.getByRole('heading', { name: '工作清单（待公布）', level: 1 }).waitFor();
    expect(await page.locator('#h-diff').innerText()).to.include('与已公布的第 1 版相比');
    expect(await page.locator('#draft-added + .table-wrap').innerText()).to.include('失业保险金申领').and.include('户籍证明').and.not.include('低保申请');
    const publish = page.getByRole('form', { name: '公布新版本（第五条）' });
    await publish.getByLabel('公布说明（可不填）').fill('增加失业保险金申领');
    await publish.getByRole('button', { name: '公布新版本（第五条）' }).click();
    await page.getByText('已公布第 2 版，公众查询页面已可查到。').waitFor();
    expect((await env.h.sys.dataSource.getRepository(ExemptionVersion).find()).map((v) => v.number).sort()).to.deep.equal([1, 2]);
    expect(await page.locator('table[aria-label="历次公布的版本"]').innerText()).to.include('增加失业保险金申领').and.include('首版');

    const compare = page.getByRole('form', { name: '比较两个版本' });
    await compare.getByLabel('旧版本').selectOption('1');
    await compare.getByLabel('新版本').selectOption('2');
    await compare.getByRole('button', { name: '显示差异' }).click();
    await page.getByRole('heading', { name: '第 1 版 → 第 2 版' }).waitFor();
    expect(new URL(page.url()).search).to.equal('?from=1&to=2');
    expect(await page.locator('#vdiff-added + .table-wrap').innerText()).to.include('失业保险金申领');
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((el: any) => !el.closest('label') && !el.getAttribute('aria-label')).map((el: any) => el.outerHTML),
    );
    expect(unlabelled).to.deep.equal([]);
    await page.screenshot({ path: path.join(SHOTS, 'console-exemption-versions-1280.png'), fullPage: true });
    await page.close();

    const pub = await env.browser.newPage({ viewport: { width: 390, height: 900 }, locale: 'zh-CN' });
    await pub.goto(`${env.h.sys.url}/exemptions`);
    await pub.getByLabel('事项或证明名称').fill('户籍证明');
    await pub.getByRole('button', { name: '查询' }).click();
    expect(await pub.locator('main').innerText()).to.include('失业保险金申领').and.include('第 2 版');
    await pub.close();
    expect(env.errors, 'no script or CSP errors').to.deep.equal([]);
  });
});
