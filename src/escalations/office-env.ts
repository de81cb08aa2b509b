import { DataSource } from 'typeorm';
import { SchedulerState } from '../../entities';
import { isUniqueViolation } from '../db/tx';
import type { WeComClient } from '../wecom/client';
import type { Config } from '../config';
import type { ModuleDeps } from '../module';
import { officeMembers } from '../directory/who';
import { ENV_WARN, GROUP } from './messages';

/** The office group's chatid in sandbox mode. */
export const SANDBOX_OFFICE_CHAT = 'sandboxoffice';

/**
 * Sandbox mode without OFFICE_CHAT_ID / OFFICE_ROBOT_WEBHOOK: the office group is an app chat
 * made in the emulator at start, so escalations and the weekly summary go somewhere one can
 * look. A real deployment configures its group instead.
 */
export async function wireSandboxOfficeGroup(deps: Pick<ModuleDeps, 'dataSource' | 'log'> & { config: Config }, client: Pick<WeComClient, 'appchatCreate'>): Promise<string | null> {
  const config = deps.config as { officeChatId: string | null; officeRobotWebhook: string | null };
  if (config.officeChatId || config.officeRobotWebhook) return null;
  const office = (await officeMembers(deps.dataSource.manager)).map((s) => s.userid);
  if (!office.length) return null;
  // An app chat has at least two members; a lone office member gets the sandbox viewer.
  const userlist = office.length >= 2 ? office : [...office, 'sandbox.viewer'];
  await client.appchatCreate({ name: GROUP.sandboxChatName, owner: office[0], userlist, chatid: SANDBOX_OFFICE_CHAT });
  config.officeChatId = SANDBOX_OFFICE_CHAT;
  deps.log.info({ chatid: SANDBOX_OFFICE_CHAT, members: userlist }, 'sandbox: the office group is the emulator app chat');
  return SANDBOX_OFFICE_CHAT;
}

/** Where the running server records what its office settings are (read by `nocert scheduler run`). */
export const SERVER_ENV_KEY = 'server.office_env';

/** What of the environment decides where the sweep's messages go; no secret (the robot is named, not its key). */
export function officeEnvOf(config: Pick<Config, 'officeChatId' | 'officeRobotWebhook' | 'publicUrl' | 'officeTz'>): Record<string, string> {
  return {
    officeGroup: config.officeChatId ? `appchat:${config.officeChatId}` : config.officeRobotWebhook ? 'robot' : 'none',
    publicUrl: config.publicUrl,
    officeTz: config.officeTz,
  };
}

/** Several instances start at once: update, else insert, and a lost insert race is an update. */
export async function recordServerEnv(ds: DataSource, config: Config, now: Date): Promise<void> {
  const repo = ds.getRepository(SchedulerState);
  const row = { value: JSON.stringify(officeEnvOf(config)), updatedAt: now, updatedBy: `server:${config.instanceId}`.slice(0, 100) };
  if ((await repo.update({ key: SERVER_ENV_KEY }, row)).affected) return;
  try {
    await repo.insert({ key: SERVER_ENV_KEY, ...row });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    await repo.update({ key: SERVER_ENV_KEY }, row);
  }
}

/**
 * Warnings for a sweep run by hand (`nocert scheduler run`): its messages are only as good
 * as its environment. No office group means escalations and the weekly summary reach
 * nobody; a setting that differs from the running server's sends them elsewhere.
 */
export async function sweepEnvWarnings(ds: DataSource, config: Config): Promise<string[]> {
  const mine = officeEnvOf(config);
  const out: string[] = [];
  if (mine.officeGroup === 'none') out.push(ENV_WARN.noGroup);
  const row = await ds.getRepository(SchedulerState).findOneBy({ key: SERVER_ENV_KEY });
  if (row) {
    let server: Record<string, string> = {};
    try {
      server = JSON.parse(row.value);
    } catch {
      /* an unreadable record is no record */
    }
    for (const k of Object.keys(mine)) if (server[k] !== undefined && server[k] !== mine[k]) out.push(ENV_WARN.differs(k, server[k], mine[k]));
  }
  return out;
}
