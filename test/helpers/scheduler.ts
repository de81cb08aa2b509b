import { expect } from 'chai';
import { DeadlineStageClaim, Escalation, OutboxMessage } from '../../entities';
import { runSweep } from '../../src/scheduler';
import { Job } from '../../src/module';
import { Api } from './api';
import { lastCard } from './inbox';
import { Harness, directoryHarness } from './system';
import { createApiKey } from '../../src/http/auth';
import { SchedulerMother } from './mothers/scheduler';
import type { UnitSpec } from './mothers/directory';
import { VerificationMother } from './mothers/verification';

export type Line = Record<string, unknown>;

/** One sweep at `at` as `npx nocert scheduler run --now` does it, then the outbox is sent. */
export async function sweep(h: Harness, at: string | Date, jobs: Job[] = h.sys.jobs): Promise<Line[]> {
  h.clock.set(at);
  const lines: Line[] = [];
  await runSweep(jobs, h.clock.now, (l) => lines.push(l));
  await h.sys.settle();
  return lines;
}

/** Creates the office's app chat in the emulator and points OFFICE_CHAT_ID at it. */
export async function useOfficeChat(h: Harness): Promise<string> {
  const chatid = SchedulerMother.officeChatId;
  if (!h.emu.appchat(chatid)) await h.sys.client.appchatCreate({ name: '联席会议办公室', owner: 'office.duty', userlist: ['office.duty', 'office.chief'], chatid });
  (h.sys.config as { officeChatId: string | null }).officeChatId = chatid;
  (h.sys.config as { officeRobotWebhook: string | null }).officeRobotWebhook = null;
  return chatid;
}

export function noOfficeGroup(h: Harness): void {
  (h.sys.config as { officeChatId: string | null }).officeChatId = null;
  (h.sys.config as { officeRobotWebhook: string | null }).officeRobotWebhook = null;
}

export async function createRequest(api: Api, over: Record<string, unknown> = {}): Promise<{ id: number; number: string; dueAt: string }> {
  const res = await api.post('/verifications', VerificationMother.body(over as any));
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body;
}

export async function claimsOf(h: Harness, requestId: number): Promise<Array<{ stage: string; outcome: string; note: string | null }>> {
  const rows = await h.sys.dataSource.getRepository(DeadlineStageClaim).find({ where: { requestId }, order: { id: 'ASC' } });
  return rows.map((r) => ({ stage: r.stage, outcome: r.outcome, note: r.note }));
}

export async function escalationsOf(h: Harness, requestId: number): Promise<Escalation[]> {
  return h.sys.dataSource.getRepository(Escalation).find({ where: { requestId }, order: { id: 'ASC' } });
}

/** Outbox rows with a dedupe key of a stage (`stage:<id>:<stage>:...`), by stage. */
export async function stageRows(h: Harness, requestId: number): Promise<Record<string, number>> {
  const rows = await h.sys.dataSource.getRepository(OutboxMessage).createQueryBuilder('o').where('o.dedupe_key LIKE :p', { p: `stage:${requestId}:%` }).getMany();
  const out: Record<string, number> = {};
  for (const r of rows) {
    const stage = r.dedupeKey!.split(':').slice(2, -1).join(':');
    out[stage] = (out[stage] ?? 0) + 1;
  }
  return out;
}

/** The member clicks 受理 on their card of the request (at the harness clock). */
export async function accept(h: Harness, userid: string, requestId: number): Promise<void> {
  const card = lastCard(h, userid, `vr${requestId}_`);
  expect(card, `card of ${userid}`).to.exist;
  await h.emu.clickButton(userid, card!.taskId, `verif_accept:${requestId}`);
  await h.sys.settle();
}

/** The owner answers 核验一致 in the chat, naming the request, and confirms the echo. */
export async function answer(h: Harness, userid: string, number: string): Promise<void> {
  await h.emu.sendText(userid, `核验一致 ${number}`);
  await h.sys.settle();
  await h.emu.sendText(userid, '确认');
  await h.sys.settle();
}

/** A digital request created now (09:00) and escalated at its deadline: `at(hhmm)` names the day's instants. */
export async function escalatedRequest(h: Harness, api: Api, at: (hhmm: string) => string): Promise<{ id: number; number: string; dueAt: string; esc: Escalation }> {
  const r = await createRequest(api);
  await h.sys.settle();
  await sweep(h, at('09:01'));
  await sweep(h, at('09:30'));
  const [esc] = await escalationsOf(h, r.id);
  return { ...r, esc };
}

/**
 * The scheduler's directory (or `units`) on a fresh harness for every test, with the
 * requesting unit's API key (`rsj`) and the office app chat. Call inside a `describe`.
 * `start`: the clock of every test; or `days`: each test on the next of them at 09:00
 * (`day` says which).
 */
export function officeEnv(opts: string | { units?: UnitSpec[]; days?: string[] }): { readonly h: Harness; readonly rsj: Api; readonly day: string } {
  const o = typeof opts === 'string' ? { start: opts } : opts;
  const env = directoryHarness('units' in o && o.units ? o.units : SchedulerMother.units(), o);
  const out = { h: undefined as unknown as Harness, rsj: undefined as unknown as Api, day: '' };
  beforeEach(async () => {
    out.h = env.h;
    out.day = env.day;
    out.rsj = new Api(env.h.sys.url, await createApiKey(env.h.sys.dataSource, 'rsj-system', 'RSJ', env.h.clock.now));
    await useOfficeChat(env.h);
  });
  return out;
}
