import path from 'path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { AccountabilityCase, JointMeeting, JointMeetingAgendaItem } from '../../entities';
import { seedConsole } from './console-mother';
import { SHOTS, browserHarness } from './browser-mother';

// Page-side code below runs in the browser; these names exist there (the project compiles without the DOM lib).
declare const document: any;


describe('console in a real headless Chromium: accountability cases and the joint meeting', function () {
  this.timeout(120_000);
  const env = browserHarness((h) => seedConsole(h));
  const errors = env.errors;
  const signIn = (width: number, userid = 'office.duty'): Promise<Page> => env.signIn(width, userid);

  /** Every control labelled, every button named, nothing spilling sideways. */
  async function smoke(page: Page, what: string): Promise<void> {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((el: any) => !el.closest('label') && !el.getAttribute('aria-label')).map((el: any) => el.outerHTML),
    );
    expect(unlabelled, what).to.deep.equal([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${what}: horizontal overflow`).to.be.at.most(0);
  }

  it('the office opens a case from the nav, records the decision, and sees the step in its history', async () => {
    const page = await signIn(1280);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '责任追究' }).click();
    await page.getByRole('heading', { name: '责任追究与容错免责', level: 1 }).waitFor();
    await smoke(page, 'list');
    const open = page.getByRole('form', { name: '立案（第四条）' });
    await open.getByLabel('事由（第四条）').selectOption('unauthorised_certificate');
    await open.locator('select[name="unit"]').selectOption('GAJ');
    await open.getByLabel('责任人员（通讯录 UserID，可不填）').fill('gaj.a');
    await open.getByLabel('证据说明').fill('窗口要求申请人提供居住证明');
    await open.getByRole('button', { name: '立案（第四条）' }).click();
    await page.getByText('已立案，责任人员已收到企业微信通知。').waitFor();
    const c = await env.h.sys.dataSource.getRepository(AccountabilityCase).findOneOrFail({ where: { personUserid: 'gaj.a' }, order: { id: 'DESC' } });
    expect(new URL(page.url()).pathname).to.equal(`/console/accountability/${c.id}`);
    await smoke(page, 'detail');

    const decide = page.getByRole('form', { name: '处理决定（第五条）' });
    await decide.getByLabel('处理方式').selectOption('rectify');
    await decide.locator('select[name="body"]').selectOption('supervising_unit');
    await decide.getByLabel('整改期限（YYYY-MM-DD，责令限期整改时必填）').fill('2026-12-20');
    await decide.getByRole('button', { name: '处理决定（第五条）' }).click();
    await page.getByText('已登记处理决定，责任人员已收到通知。').waitFor();
    expect(await page.locator('#h-atrail + ol').innerText()).to.include('立案').and.include('作出处理决定').and.include('wecom:office.duty');
    expect(await page.locator('#h-asteps + dl').innerText()).to.include('责令限期整改').and.include('整改期限 2026-12-20');
    expect((await env.h.sys.dataSource.getRepository(AccountabilityCase).findOneByOrFail({ id: c.id })).status).to.equal('decided');
    await page.screenshot({ path: path.join(SHOTS, 'console-accountability-1280.png'), fullPage: true });
    await page.close();

    const phone = await signIn(390, 'gaj.liaison');
    await phone.goto(`${env.h.sys.url}/console/accountability/${c.id}`);
    await phone.getByRole('form', { name: '复核（申诉）（第六条）' }).getByLabel('复核（申诉）理由').fill('当日系统故障');
    await phone.getByRole('button', { name: '复核（申诉）（第六条）' }).click();
    await phone.getByText('已提交复核（申诉）申请，原决定不停止执行。').waitFor();
    await smoke(phone, 'unit detail at 390px');
    await phone.close();
    expect(errors, 'no script or CSP errors').to.deep.equal([]);
  });

  it('the office names members, schedules a joint meeting and puts a convenor item on its agenda', async () => {
    const page = await signIn(1280);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '联席会议' }).click();
    await page.getByRole('heading', { name: '联席会议', level: 1 }).waitFor();
    const conv = page.getByRole('form', { name: '设置召集人' });
    await conv.getByLabel('召集人（通讯录 UserID）').fill('office.duty');
    await conv.getByLabel('角色').selectOption('general_convenor');
    await conv.getByRole('button', { name: '设置召集人' }).click();
    await page.getByText('已设置召集人。').waitFor();
    for (const [unit, liaison] of [['GAJ', 'gaj.liaison'], ['RSJ', 'rsj.liaison']]) {
      const add = page.getByRole('form', { name: '增加成员单位' });
      await add.locator('select[name="unit"]').selectOption(unit);
      await add.getByLabel('会议联络员（通讯录 UserID）').fill(liaison);
      await add.getByLabel('生效日期').fill('2026-11-01');
      await add.getByRole('button', { name: '增加成员单位' }).click();
      await page.getByText('已增加成员单位。').waitFor();
    }
    const sched = page.getByRole('form', { name: '安排会议' });
    await sched.getByLabel('会议名称').fill('2026年12月联席会议');
    await sched.locator('input[name="scheduledAt"]').fill('2026-12-10T09:30');
    await sched.getByLabel('地点').fill('三楼会议室');
    await sched.getByRole('button', { name: '安排会议' }).click();
    await page.getByRole('heading', { name: '2026年12月联席会议', level: 1 }).waitFor();
    const meeting = await env.h.sys.dataSource.getRepository(JointMeeting).findOneByOrFail({ title: '2026年12月联席会议' });
    expect(new URL(page.url()).pathname).to.equal(`/console/meetings/${meeting.id}`);
    expect(await page.locator('#h-minfo + dl').innerText()).to.include('2026-12-10 09:30');
    expect(await page.locator('main').innerText()).to.include('2026年12月联席会议（联络员会议）');
    const agenda = page.getByRole('form', { name: '增加议题' });
    await agenda.getByLabel('议题内容').fill('统一户籍类证明核验时限');
    await agenda.getByLabel('召集人（直接列入）').selectOption('office.duty');
    await agenda.getByRole('button', { name: '增加议题' }).click();
    await page.getByText('已增加议题。').waitFor();
    expect(await page.locator('#h-magenda + .table-wrap').innerText()).to.include('统一户籍类证明核验时限').and.include('已列入');
    const items = await env.h.sys.dataSource.getRepository(JointMeetingAgendaItem).findBy({ meetingId: meeting.id });
    expect(items.map((i) => [i.text, i.status])).to.deep.equal([['统一户籍类证明核验时限', 'approved']]);
    await smoke(page, 'meeting');
    await page.screenshot({ path: path.join(SHOTS, 'console-meeting-1280.png'), fullPage: true });
    await page.goto(`${env.h.sys.url}/console/meetings`);
    await smoke(page, 'meetings');
    await page.screenshot({ path: path.join(SHOTS, 'console-meetings-1280.png'), fullPage: true });
    await page.close();
    expect(errors, 'no script or CSP errors').to.deep.equal([]);
  });
});
