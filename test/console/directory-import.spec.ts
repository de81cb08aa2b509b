import { expect } from 'chai';
import { OutboxMessage, Staff, Unit } from '../../entities';
import { UPLOAD_LIMIT } from '../../src/console';
import { ConsoleClient, consoleHarness, AUDITOR } from './console-mother';
import { HEADER, goodRows, upload, workbook } from './directory-files';

describe('console: the directory xlsx import with a preview of row errors (SPEC 1 Art. 6)', () => {
  const env = consoleHarness();
  const counts = async () => [await env.h.sys.dataSource.getRepository(Unit).count(), await env.h.sys.dataSource.getRepository(Staff).count()];

  async function office(): Promise<{ c: ConsoleClient; csrf: string }> {
    const c = new ConsoleClient(env.h);
    await c.login('office.duty');
    const page = await (await c.get('/console/directory/import')).text();
    expect(page).to.include('enctype="multipart/form-data"');
    return { c, csrf: ConsoleClient.csrf(page) };
  }

  it('a good file: preview of rows to add and change, nothing saved, then confirm saves them all', async () => {
    const { c, csrf } = await office();
    const before = await counts();
    const res = await upload(c, env.h.sys.url, '/console/directory/import', { csrf }, { name: '通讯录.xlsx', data: await workbook(goodRows()) });
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.include('导入预览').and.include('新增人员 3 人，修改 1 人，不变 0 人；涉及单位 2 个。');
    expect(html).to.include('县卫健局（新单位）').and.include('139****2222').and.not.include('13900002222');
    // rsj.a gets a training date (and loses nothing else: name, role and A are as now).
    expect(html).to.match(/<tr class="act-change">(?:(?!<\/tr>).)*rsj\.a(?:(?!<\/tr>).)*培训日期<\/td>/);
    expect(html).to.include('确认导入');
    expect(await counts(), 'nothing saved before the confirmation').to.deep.equal(before);

    const grid = /name="grid" value="([A-Za-z0-9_-]+)"/.exec(html)![1];
    // A confirmation whose sealed grid was altered, or made up, is refused.
    const flipped = grid.slice(0, 40) + (grid[40] === 'A' ? 'B' : 'A') + grid.slice(41);
    for (const bad of [flipped, Buffer.from(JSON.stringify([HEADER, ['X', 'Y']])).toString('base64url'), '']) {
      const forged = await c.post('/console/directory/import/confirm', { csrf, grid: bad });
      expect(forged.status).to.equal(400);
      expect(await forged.text()).to.include('预览已失效');
    }
    expect(await counts()).to.deep.equal(before);

    const ok = await c.post('/console/directory/import/confirm', { csrf, grid });
    expect(ok.status).to.equal(302);
    expect(ok.headers.get('location')).to.equal('/console/directory?imported=2-4');
    expect(await counts()).to.deep.equal([before[0] + 1, before[1] + 3]);
    const wjj = await env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid: 'wjj.liaison' });
    expect([wjj.unitCode, wjj.role, wjj.trainedOn, wjj.mobile]).to.deep.equal(['WJJ', 'liaison', '2026-11-10', '13900002222']);
    expect((await env.h.sys.dataSource.getRepository(Staff).findOneByOrFail({ userid: 'rsj.a' })).trainedOn).to.equal('2026-11-15');
    const dir = await (await c.get(ok.headers.get('location')!)).text();
    expect(dir).to.include('已导入：单位 2 个，人员 4 人。').and.include('县卫健局').and.include('卫健代办B');
  });

  it('a file with row errors: every error shown in Chinese, no confirmation, nothing saved', async () => {
    const { c, csrf } = await office();
    const before = await counts();
    const rows = goodRows();
    rows[2] = ['WJJ', '县卫健局', 'wjj.a', '卫健代办A', '老板', 'C', '12', '2026/11/01'];
    rows.push(['WJJ', '县卫健局', 'wjj.liaison', '重复的人', '代办员', '', '', '']);
    const res = await upload(c, env.h.sys.url, '/console/directory/import', { csrf }, { name: 'bad.xlsx', data: await workbook(rows) });
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.include('发现 5 处错误，不能导入');
    for (const text of ['角色 的值 &quot;老板&quot; 无效', 'AB角 的值 &quot;C&quot; 无效：应为 A、B 或留空', '手机 的值 &quot;12&quot; 无效：应为手机号码', '培训日期 的值 &quot;2026/11/01&quot; 无效：应为日期 YYYY-MM-DD', '企业微信账号 wjj.liaison 重复（第 2 行已出现）']) expect(html).to.include(text);
    expect(html).to.include('<td data-label="行号">3</td>').and.include('<td data-label="行号">6</td>');
    expect(html).to.not.include('确认导入').and.not.include('name="grid"');
    expect(await counts()).to.deep.equal(before);
    expect(await env.h.sys.dataSource.getRepository(Staff).findOneBy({ userid: 'wjj.b' })).to.equal(null);
  });

  it('a broken file gives a clear error and saves nothing: not xlsx, unreadable, wrong columns, empty, no file, too large', async () => {
    const { c, csrf } = await office();
    const before = await counts();
    const cases: Array<[{ name: string; data: Buffer } | null, string, number]> = [
      [{ name: 'list.csv', data: Buffer.from('unit_code,unit_name\nWJJ,县卫健局\n') }, '只能上传 .xlsx 格式的 Excel 文件', 400],
      [{ name: 'fake.xlsx', data: Buffer.from('this is not a workbook') }, '不是有效的 xlsx 工作簿', 400],
      [{ name: 'cols.xlsx', data: await workbook([['编号', '名称'], ['WJJ', '县卫健局']]) }, '缺少必需的列 单位编码', 400],
      [{ name: 'empty.xlsx', data: await workbook([]) }, '缺少表头行', 400],
      [{ name: 'header.xlsx', data: await workbook([HEADER]) }, '文件中没有数据行', 400],
      [null, '请选择要上传的 xlsx 文件', 400],
      [{ name: 'big.xlsx', data: Buffer.alloc(UPLOAD_LIMIT + 1, 1) }, '文件过大，不能超过 2 MB', 413],
    ];
    for (const [file, text, status] of cases) {
      const res = await upload(c, env.h.sys.url, '/console/directory/import', { csrf }, file);
      expect(res.status, text).to.equal(status);
      expect(await res.text(), text).to.include(text);
    }
    // A multipart body that does not parse (cut off mid-part) is a 400 that changes nothing.
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const cut = await fetch(`${env.h.sys.url}/console/directory/import`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'multipart/form-data; boundary=XYZ' }, body: `--XYZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}` });
    expect(cut.status).to.equal(400);
    expect(await cut.text()).to.include('上传的内容无法识别');
    expect(await counts()).to.deep.equal(before);
  });

  it('refusals: no CSRF token (403), an auditor or unit staff importing (403); nothing changes', async () => {
    const before = await counts();
    const outbox = await env.h.sys.dataSource.getRepository(OutboxMessage).count();
    const data = await workbook(goodRows());
    const { c } = await office();
    const noToken = await upload(c, env.h.sys.url, '/console/directory/import', {}, { name: 'a.xlsx', data });
    expect(noToken.status).to.equal(403);
    expect(await noToken.text()).to.include('表单已失效');
    expect((await upload(c, env.h.sys.url, '/console/directory/import', { csrf: '0'.repeat(64) }, { name: 'a.xlsx', data })).status).to.equal(403);
    expect((await c.post('/console/directory/import/confirm', { grid: '[]', sig: '' })).status).to.equal(403);
    for (const userid of [AUDITOR, 'rsj.liaison']) {
      const other = new ConsoleClient(env.h);
      await other.login(userid);
      expect((await other.get('/console/directory/import')).status, userid).to.equal(403);
      const csrf = ConsoleClient.csrf(await (await other.get('/console/directory')).text());
      const res = await upload(other, env.h.sys.url, '/console/directory/import', { csrf }, { name: 'a.xlsx', data });
      expect(res.status, userid).to.equal(403);
      expect(await res.text()).to.include('您无权执行此操作');
      expect((await other.post('/console/directory/import/confirm', { csrf, grid: '[]', sig: 'x' })).status, userid).to.equal(403);
      expect(await (await other.get('/console/directory')).text()).to.not.include('href="/console/directory/import"');
    }
    expect(await counts()).to.deep.equal(before);
    expect(await env.h.sys.dataSource.getRepository(OutboxMessage).count()).to.equal(outbox);
  });
});
