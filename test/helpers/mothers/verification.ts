import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { OutboxMessage, VerificationRequest, VerificationEvent } from '../../../entities';
import { idCheckChar } from '../../../src/verification/id-number';
import { Harness } from '../system';

/** A valid GB 11643 number built from 17 digits (check character computed). */
export function idNumber(first17 = '37032319900307123'): string {
  return `${first17}${idCheckChar(first17)}`;
}

/** The same number with a wrong check character. */
export function badIdNumber(first17 = '37032319900307123'): string {
  const good = idCheckChar(first17);
  return `${first17}${good === '1' ? '2' : '1'}`;
}

export interface CreateBody {
  requesterUnit: string;
  issuerUnit?: string;
  serviceItem?: string;
  certificate?: string;
  category?: string;
  applicant: { name: string; idNumber: string };
  question: string;
  listEntryId?: number | null;
  requestedBy?: string | null;
  caseStartedAt?: string | null;
}

/** Object mother for verification requests. */
export const VerificationMother = {
  body(over: Partial<CreateBody> = {}): CreateBody {
    return {
      requesterUnit: 'RSJ',
      issuerUnit: 'GAJ',
      serviceItem: '失业保险金申领',
      certificate: '无犯罪记录证明',
      category: 'digital',
      applicant: { name: '张小三', idNumber: idNumber() },
      question: '申请人是否有犯罪记录',
      ...over,
    };
  },
  mismatchDetails: '经查，申请人2019年有一条治安处罚记录，与申报不符。',
  returnReason: '该证明不属于本单位职责，请向司法局核验。',
};

/** JSON over HTTP to the real server. */
export class Api {
  constructor(readonly base: string, readonly key: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call('POST', path, body ?? {}, headers);
  }
  put(path: string, body: unknown) {
    return this.call('PUT', path, body);
  }
  get(path: string) {
    return this.call('GET', path);
  }
}

/** Everything observable that a refused input must leave unchanged. */
export interface Snapshot {
  requests: string;
  events: number;
  outbox: number;
  delivered: number;
  updates: number;
}

export async function snapshot(h: Harness): Promise<Snapshot> {
  const ds: DataSource = h.sys.dataSource;
  const requests = await ds.getRepository(VerificationRequest).find({ order: { id: 'ASC' } });
  return {
    requests: JSON.stringify(requests.map((r) => ({ id: r.id, status: r.status, assignee: r.assignee, category: r.category, dueAt: r.dueAt.getTime(), result: r.result, returnReason: r.returnReason, version: r.version }))),
    events: await ds.getRepository(VerificationEvent).count(),
    outbox: await ds.getRepository(OutboxMessage).count(),
    delivered: h.emu.delivered().length,
    updates: h.emu.cardUpdates().length,
  };
}

/** Asserts nothing changed and nothing was sent since `before`. */
export async function expectUnchanged(h: Harness, before: Snapshot): Promise<void> {
  await h.sys.settle();
  expect(await snapshot(h)).to.deep.equal(before);
}

/** The request card a member got for a request: its task_id and card JSON. */
export function cardOf(h: Harness, userid: string, requestId: number): { taskId: string; card: any } | undefined {
  const d = h.emu
    .delivered({ touser: userid, msgtype: 'template_card' })
    .filter((x) => x.payload.card_type === 'button_interaction' && String(x.payload.task_id).startsWith(`vr${requestId}_`));
  const last = d[d.length - 1];
  return last ? { taskId: last.payload.task_id, card: last.payload } : undefined;
}

/** The emulator keeps its log across tests: a mark to read only what came after it. */
export function mark(h: Harness): number {
  return h.emu.delivered().reduce((n, d) => Math.max(n, d.seq), 0);
}

export function textsTo(h: Harness, userid: string, since = 0): string[] {
  return h.emu
    .delivered({ touser: userid, msgtype: 'text' })
    .filter((d) => d.seq > since)
    .map((d) => d.payload.content as string);
}

/** text_notice cards a member got about one request (linked to its detail page). */
export function noticesTo(h: Harness, userid: string, requestId: number): any[] {
  return h.emu
    .delivered({ touser: userid, msgtype: 'template_card' })
    .map((d) => d.payload)
    .filter((c) => c.card_type === 'text_notice' && String(c.card_action?.url ?? '').endsWith(`/v/${requestId}`));
}

