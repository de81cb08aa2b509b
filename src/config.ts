import { z } from 'zod';

/** Names are fixed by CONTRACT.md ("Configuration"). No secret has a default. */
const intString = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const AES_KEY = /^[A-Za-z0-9+/]{43}$/;
const OFFICE_HOURS = /^\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2})*$/;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const schema = z
  .object({
    PORT: intString('PORT', 0, 65535).default(3000),
    DATABASE_URL: z
      .string()
      .refine((s) => /^mysql:\/\/[^/]+\/[^/?]+/.test(s) || /^sqlite:.+/.test(s), 'must be mysql://user:pass@host:port/db or sqlite:PATH')
      .default('sqlite:data/nocert.sqlite'),
    PUBLIC_URL: z.string().url('must be an http(s) address').optional(),
    OFFICE_TZ: z.string().refine(validTimeZone, 'is not a known IANA time zone').default('Asia/Shanghai'),
    OFFICE_HOURS: z.string().regex(OFFICE_HOURS, 'must look like 08:30-12:00,13:30-17:30').default('08:30-12:00,13:30-17:30'),
    WECOM_CORP_ID: z.string().regex(/^[A-Za-z0-9]{4,64}$/, 'must be the CorpID (letters and digits)').optional(),
    WECOM_AGENT_ID: intString('WECOM_AGENT_ID', 1, 2 ** 31 - 1).optional(),
    WECOM_SECRET: z.string().min(8, 'is too short to be an app secret').optional(),
    WECOM_TOKEN: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1-32 letters or digits').optional(),
    WECOM_AES_KEY: z.string().regex(AES_KEY, 'must be the 43-character EncodingAESKey').optional(),
    WECOM_KF_SECRET: z.string().min(8, 'is too short to be a secret').optional(),
    WECOM_API_BASE: z.string().url('must be an http(s) address').default('https://qyapi.weixin.qq.com'),
    OFFICE_CHAT_ID: z.string().regex(/^[0-9a-zA-Z]{1,32}$/, 'must be an appchat chatid ([0-9a-zA-Z], up to 32)').optional(),
    OFFICE_ROBOT_WEBHOOK: z.string().url('must be the robot webhook address').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    INSTANCE_ID: z.string().max(64).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.WECOM_CORP_ID) {
      for (const k of ['WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_AES_KEY'] as const) {
        if (v[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'is required when WECOM_CORP_ID is set' });
      }
    }
  });

export interface WeComSettings {
  corpId: string;
  agentId: number;
  secret: string;
  kfSecret: string;
  token: string;
  aesKey: string;
  apiBase: string;
}

export interface Config {
  mode: 'sandbox' | 'live';
  port: number;
  databaseUrl: string;
  publicUrl: string;
  officeTz: string;
  officeHours: string;
  /** null in sandbox mode: main.ts fills it with the emulator's generated keys. */
  wecom: WeComSettings | null;
  officeChatId: string | null;
  officeRobotWebhook: string | null;
  logLevel: string;
  instanceId: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads the environment; every bad value is reported at once, one line each. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') input[k] = v;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? 'config')}: ${i.message}`);
    throw new ConfigError([...new Set(problems)]);
  }
  const v = parsed.data;
  return {
    mode: v.WECOM_CORP_ID ? 'live' : 'sandbox',
    port: v.PORT,
    databaseUrl: v.DATABASE_URL,
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/$/, ''),
    officeTz: v.OFFICE_TZ,
    officeHours: v.OFFICE_HOURS,
    wecom: v.WECOM_CORP_ID
      ? {
          corpId: v.WECOM_CORP_ID,
          agentId: v.WECOM_AGENT_ID!,
          secret: v.WECOM_SECRET!,
          kfSecret: v.WECOM_KF_SECRET ?? v.WECOM_SECRET!,
          token: v.WECOM_TOKEN!,
          aesKey: v.WECOM_AES_KEY!,
          apiBase: v.WECOM_API_BASE.replace(/\/$/, ''),
        }
      : null,
    officeChatId: v.OFFICE_CHAT_ID ?? null,
    officeRobotWebhook: v.OFFICE_ROBOT_WEBHOOK ?? null,
    logLevel: v.LOG_LEVEL,
    instanceId: v.INSTANCE_ID ?? `${require('os').hostname()}-${process.pid}`,
  };
}
