import http from 'http';
import crypto from 'crypto';
import { AddressInfo } from 'net';
import { DataSource } from 'typeorm';
import { DataService } from '../../entities';
import { idCheckChar } from '../verification/id-number';
import { seal } from './seal';
import { signature } from './call';

/** The sandbox's household register (户籍): made-up people, answered by a demo data service. */
export const DEMO_REGISTER = [
  { name: '张三', first17: '37032319900307123', address: '城关镇解放路12号' },
  { name: '李四', first17: '37032319851112456', address: '南麻街道新华路8号' },
  { name: '王芳', first17: '37032320000101789', address: '荆家镇王家庄村' },
].map((p) => ({ ...p, idNumber: `${p.first17}${idCheckChar(p.first17)}` }));

export const DEMO_CERTIFICATE = { issuerUnit: 'GAJ', certificate: '户籍证明' };

/**
 * A unit's data service as a county would run it, on a loopback port: checks the signature
 * and the timestamp, then looks the person up. Known number and name: consistent; known
 * number, other name: inconsistent; unknown number: unknown (people answer).
 */
export function startDemoRegister(secret: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers['x-nocert-timestamp'] ?? '');
      const want = Buffer.from(`sha256=${signature(secret, ts, raw)}`);
      const got = Buffer.from(String(req.headers['x-nocert-signature'] ?? ''));
      const fresh = Math.abs(Number(ts) - Date.now() / 1000) <= 300;
      const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (!fresh || got.length !== want.length || !crypto.timingSafeEqual(got, want)) return answer(401, { error: 'signature' });
      let body: { applicant?: { name?: string; idNumber?: string } };
      try {
        body = JSON.parse(raw);
      } catch {
        return answer(400, { error: 'json' });
      }
      const person = DEMO_REGISTER.find((p) => p.idNumber === body.applicant?.idNumber);
      if (!person) return answer(200, { result: 'unknown', reply: '户籍库中无此身份证号码' });
      if (person.name !== body.applicant?.name) return answer(200, { result: 'inconsistent', reply: '该身份证号码的户籍登记信息与申请信息不一致' });
      return answer(200, { result: 'consistent', reply: `经户籍库比对，申请人户籍登记于${person.address}` });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hukou/verify`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** Registers (or re-points, after a restart) the demo register for 户籍证明 of the demo police unit. */
export async function seedDemoDataService(ds: DataSource, key: Buffer, now: Date): Promise<() => Promise<void>> {
  const secret = crypto.randomBytes(24).toString('base64url');
  const demo = await startDemoRegister(secret);
  const repo = ds.getRepository(DataService);
  const found = await repo.findOneBy(DEMO_CERTIFICATE);
  if (found) await repo.update({ id: found.id }, { url: demo.url, secretSealed: seal(key, secret) });
  else await repo.insert({ ...DEMO_CERTIFICATE, kind: 'http', url: demo.url, secretSealed: seal(key, secret), dsnMasked: null, query: null, calls: 0, autoAnswers: 0, fallbacks: 0, createdBy: 'sandbox', createdAt: now });
  return demo.close;
}
