import { spawn, ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { expect } from 'chai';

/** `npm start` with no WECOM_CORP_ID: the sandboxed server, as a newcomer runs it. */
describe('npm start in sandbox mode', function () {
  this.timeout(60_000);
  let child: ChildProcess;
  let out = '';

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-start-'));
    const main = path.resolve(__dirname, '../../src/main.js');
    child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: '0', DATABASE_URL: `sqlite:${path.join(dir, 'nocert.sqlite')}`, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d.toString()));
    child.stderr!.on('data', (d) => (out += d.toString()));
    const t0 = Date.now();
    while (!/然后看卡片/.test(out)) {
      if (Date.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const grab = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) throw new Error(`not in the console output: ${re}\n${out}`);
    return m[1];
  };

  it('prints where to look, then serves a verification from API to card, and stops cleanly on SIGTERM', async () => {
    const url = grab(/沙箱模式）：(http:\/\/\S+)/);
    const emu = grab(/企业微信模拟器：(http:\/\/\S+)/);
    const key = grab(/县公安局 API 密钥： (\S+)/);
    expect((await fetch(`${url}/readyz`)).status).to.equal(200);
    const res = await fetch(`${url}/api/v1/verifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        requesterUnit: 'GAJ',
        issuerUnit: 'RSJ',
        serviceItem: '户籍迁入',
        certificate: '社保缴纳证明',
        category: 'digital',
        applicant: { name: '张三', idNumber: '11010519491231002X' },
        question: '是否连续缴纳社保满12个月？',
      }),
    });
    expect(res.status).to.equal(201);
    const created = (await res.json()) as { number: string };
    expect(created.number).to.match(/^HC\d{8}-\d{4}$/);
    // The outbox worker runs every second in the real server.
    let cards: Array<{ msgtype: string; body: { template_card?: { main_title?: { title?: string } } } }> = [];
    for (let i = 0; i < 50 && !cards.length; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const list = (await (await fetch(`${emu}/sandbox/messages?touser=liaison.rsj`)).json()) as { messages?: typeof cards } | typeof cards;
      cards = (Array.isArray(list) ? list : list.messages ?? []).filter((m) => m.msgtype === 'template_card');
    }
    expect(cards).to.have.length(1);
    expect(JSON.stringify(cards[0])).to.include(created.number);
    expect(JSON.stringify(cards[0])).to.not.include('11010519491231002X');

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});
