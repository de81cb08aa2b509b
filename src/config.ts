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
    OFFICE_PHONE: z.string().regex(/^[0-9+()\- ]{5,30}$/, 'must be a phone number (digits, spaces, -, +, parentheses)').optional(),
    OFFICE_HOURS_TEXT: z.string().max(60, 'must be at most 60 characters').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    INSTANCE_ID: z.string().max(64).optional(),
    TRUST_PROXY: intString('TRUST_PROXY', 0, 10).default(0),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    RETENTION_DAYS: intString('RETENTION_DAYS', 30, 3650).default(180),
    SPOOL_DIR: z.string().min(1).default('data/spool'),
    SPOOL_MAX_MB: intString('SPOOL_MAX_MB', 1, 102400).default(64),
    DATA_SERVICE_KEY: z
      .string()
      .refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
  });

/** The WeCom settings live mode needs; any WECOM_* variable set means live mode. */
const WECOM_REQUIRED = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_AES_KEY'] as const;
const WECOM_KNOWN = new Set<string>([...WECOM_REQUIRED, 'WECOM_KF_SECRET', 'WECOM_API_BASE']);

/**
 * Sandbox mode only by an empty WeCom configuration on a local SQLite file: a typo in one
 * name or a secrets file that did not mount must stop the start, not run the emulator
 * against the production database.
 */
function modeProblems(input: Record<string, string>, opts: LoadOptions): string[] {
  const wecomNames = Object.keys(input).filter((k) => k.startsWith('WECOM_'));
  const problems = wecomNames.filter((k) => !WECOM_KNOWN.has(k)).map((k) => `${k}: is not a known setting (${[...WECOM_KNOWN].join(', ')})`);
  if (wecomNames.length) {
    const why = wecomNames.filter((k) => WECOM_KNOWN.has(k)).join(', ') || wecomNames.join(', ');
    for (const k of WECOM_REQUIRED) if (input[k] === undefined) problems.push(`${k}: is required in live mode (set: ${why})`);
  } else if (!opts.allowSandboxOnMysql && /^mysql:/.test(input.DATABASE_URL ?? '')) {
    problems.push(`DATABASE_URL: a MySQL database needs the WeCom settings (${WECOM_REQUIRED.join(', ')}); sandbox mode runs on sqlite: only`);
  }
  return problems;
}

export interface LoadOptions {
  /** Benchmarks and one-shot commands run the emulator (or no WeCom at all) on any database. */
  allowSandboxOnMysql?: boolean;
}

/** The address with its password masked, for banners and logs. */
export function maskDatabaseUrl(url: string): string {
  return url.replace(/^(mysql:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

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
  /** The office's phone, told to citizens who ask for a person. */
  officePhone: string | null;
  /** The office hours as citizens are told them (default: from OFFICE_HOURS). */
  officeHoursText: string;
  logLevel: string;
  instanceId: string;
  /** Proxy hops whose X-Forwarded-For is believed (0: the socket address is the client). */
  trustProxy: number;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** Inbox payloads, kf messages and idempotency keys older than this are pruned. */
  retentionDays: number;
  /** Where callbacks are kept while the database cannot take them (one file per instance), and the cap. */
  spool: { dir: string; maxBytes: number };
  /** Seals data services' secrets (AES-256-GCM); null: registering a data service is refused. Sandbox mode makes one. */
  dataServiceKey: Buffer | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads the environment; every bad value is reported at once, one line each. */
export function loadConfig(env: Record<string, string | undefined> = process.env, opts: LoadOptions = {}): Config {
  const input: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') input[k] = v;
  const parsed = schema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? 'config')}: ${i.message}`);
  problems.push(...modeProblems(input, opts));
  if (!parsed.success || problems.length) {
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
    officePhone: v.OFFICE_PHONE ?? null,
    officeHoursText: v.OFFICE_HOURS_TEXT ?? `工作日${v.OFFICE_HOURS.replace(/,/g, '、')}`,
    logLevel: v.LOG_LEVEL,
    instanceId: v.INSTANCE_ID ?? `${require('os').hostname()}-${process.pid}`,
    trustProxy: v.TRUST_PROXY,
    metricsToken: v.METRICS_TOKEN ?? null,
    retentionDays: v.RETENTION_DAYS,
    spool: { dir: v.SPOOL_DIR, maxBytes: v.SPOOL_MAX_MB * 1024 * 1024 },
    dataServiceKey: v.DATA_SERVICE_KEY ? Buffer.from(v.DATA_SERVICE_KEY, 'base64') : null,
  };
}
