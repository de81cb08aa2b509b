import { AppError } from '../errors';
import { BACKOFF_ERRCODES, FATAL_ERRCODES, TOKEN_ERRCODES, WeComError, WeComFatalError } from './errors';
import { apiUrl, requestJson } from './http-json';
import type { TokenProvider } from './token-cache';
import type {
  AppchatCreateBody,
  AppchatCreateResult,
  AppchatSendBody,
  KfSendMsgBody,
  KfSendMsgOnEventBody,
  KfSendResult,
  KfSyncMsgRequest,
  KfSyncMsgResult,
  MessageBody,
  RobotMessage,
  SendMessageResult,
  TokenKind,
  UpdateTemplateCardBody,
  UpdateTemplateCardResult,
  UserInfoResult,
  WeComAnswer,
  WeComLogger,
  WeComMetrics,
} from './types';

export interface WeComClientOptions {
  /** e.g. https://qyapi.weixin.qq.com, or the sandbox emulator's address. */
  apiBase: string;
  corpId: string;
  agentId: number;
  tokens: TokenProvider;
  /** Backoff for -1/45009/45033: attempts in all (default 3), first delay (default 500 ms). */
  retry?: { baseMs?: number; maxAttempts?: number };
  logger?: WeComLogger;
  metrics?: Pick<WeComMetrics, 'wecomError'>;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Token kind; none for the group robot, whose webhook address is its credential. */
  token?: TokenKind;
  /** Full URL (robot webhook) instead of apiBase + path. */
  url?: URL;
}

/**
 * The WeCom API client (WECOM.md §3–§8). Errors: 40014/42001 -> invalidate the token and
 * retry once; -1/45009/45033 -> exponential backoff with jitter, up to retry.maxAttempts;
 * 40001/40091/40013 -> WeComFatalError; any other errcode -> WeComError at once;
 * network failure or HTTP 5xx -> WeComUnavailableError. Logs carry the path and errcode
 * only: never tokens, secrets, webhook keys or message contents.
 */
export class WeComClient {
  private readonly baseMs: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly opts: WeComClientOptions) {
    this.baseMs = opts.retry?.baseMs ?? 500;
    this.maxAttempts = Math.max(1, opts.retry?.maxAttempts ?? 3);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
  }

  get agentId(): number {
    return this.opts.agentId;
  }

  /** message/send; agentid is added. Returns msgid, response_code (interactive cards), invaliduser... */
  sendMessage(body: MessageBody): Promise<SendMessageResult> {
    return this.call({ method: 'POST', path: '/cgi-bin/message/send', token: 'app', body: { ...body, agentid: this.opts.agentId } });
  }

  /** message/update_template_card; a response_code works once (60140 when used or expired). */
  updateTemplateCard(body: UpdateTemplateCardBody): Promise<UpdateTemplateCardResult> {
    return this.call({ method: 'POST', path: '/cgi-bin/message/update_template_card', token: 'app', body: { ...body, agentid: this.opts.agentId } });
  }

  appchatCreate(body: AppchatCreateBody): Promise<AppchatCreateResult> {
    return this.call({ method: 'POST', path: '/cgi-bin/appchat/create', token: 'app', body });
  }

  appchatSend(body: AppchatSendBody): Promise<WeComAnswer> {
    return this.call({ method: 'POST', path: '/cgi-bin/appchat/send', token: 'app', body });
  }

  /** POST to a group robot's webhook address (no access_token; the key is the credential). */
  robotSend(webhookUrl: string, body: RobotMessage): Promise<WeComAnswer> {
    const url = new URL(webhookUrl);
    return this.call({ method: 'POST', path: url.pathname, url, body });
  }

  kfSyncMsg(req: KfSyncMsgRequest): Promise<KfSyncMsgResult> {
    return this.call({ method: 'POST', path: '/cgi-bin/kf/sync_msg', token: 'kf', body: req });
  }

  kfSendMsg(body: KfSendMsgBody): Promise<KfSendResult> {
    return this.call({ method: 'POST', path: '/cgi-bin/kf/send_msg', token: 'kf', body });
  }

  kfSendMsgOnEvent(body: KfSendMsgOnEventBody): Promise<KfSendResult> {
    return this.call({ method: 'POST', path: '/cgi-bin/kf/send_msg_on_event', token: 'kf', body });
  }

  /**
   * OAuth code (single use, 5 min) -> the member's userid (WECOM.md §8; 40029: bad code).
   * A non-member (WeCom answers an openid instead) is refused with AppError 'forbidden'.
   */
  async getUserInfo(code: string): Promise<UserInfoResult> {
    const r = await this.call<Record<string, unknown>>({ method: 'GET', path: '/cgi-bin/auth/getuserinfo', token: 'app', query: { code } });
    const userid = typeof r.userid === 'string' && r.userid ? r.userid : typeof r.UserId === 'string' && r.UserId ? r.UserId : null;
    if (!userid) throw new AppError('forbidden', 'the OAuth code belongs to someone who is not a member of the corp');
    return { ...(r as unknown as UserInfoResult), userid };
  }

  private backoffMs(attempt: number): number {
    const full = this.baseMs * 2 ** (attempt - 1);
    return Math.round(full / 2 + (this.random() * full) / 2);
  }

  private async call<T>(c: Call): Promise<T> {
    const log = this.opts.logger;
    let attempt = 1;
    let tokenRetried = false;
    for (;;) {
      let token: string | undefined;
      let answer: Record<string, unknown> & { errcode: number };
      try {
        if (c.token) token = await this.opts.tokens.getToken(c.token);
        const url = c.url ?? apiUrl(this.opts.apiBase, c.path, { ...c.query, access_token: token });
        answer = await requestJson({ method: c.method, url, path: c.path, body: c.body, timeoutMs: this.timeoutMs });
      } catch (e) {
        // A gettoken answer of -1/45009/45033 backs off like any other call.
        if (e instanceof WeComError && !(e instanceof WeComFatalError) && BACKOFF_ERRCODES.has(e.errcode) && attempt < this.maxAttempts) {
          await this.pause(c.path, e.errcode, attempt++);
          continue;
        }
        if (e instanceof WeComFatalError) log?.error({ path: c.path, errcode: e.errcode }, 'WeCom refused the credentials');
        else log?.warn({ path: c.path, err: (e as Error).message }, 'WeCom call failed');
        throw e;
      }
      const errcode = answer.errcode;
      if (errcode === 0) {
        log?.debug({ path: c.path, attempt }, 'WeCom call ok');
        return answer as T;
      }
      const errmsg = typeof answer.errmsg === 'string' ? answer.errmsg : '';
      this.opts.metrics?.wecomError(errcode);
      if (TOKEN_ERRCODES.has(errcode) && c.token && token !== undefined && !tokenRetried) {
        tokenRetried = true;
        log?.info({ path: c.path, errcode }, 'access_token rejected, refreshing once');
        await this.opts.tokens.invalidate(c.token, token);
        continue;
      }
      if (FATAL_ERRCODES.has(errcode)) {
        log?.error({ path: c.path, errcode }, 'WeCom refused the credentials');
        throw new WeComFatalError(c.path, errcode, errmsg);
      }
      if (BACKOFF_ERRCODES.has(errcode) && attempt < this.maxAttempts) {
        await this.pause(c.path, errcode, attempt++);
        continue;
      }
      log?.warn({ path: c.path, errcode, attempt }, 'WeCom answered an error');
      throw new WeComError(c.path, errcode, errmsg);
    }
  }

  private async pause(path: string, errcode: number, attempt: number): Promise<void> {
    const ms = this.backoffMs(attempt);
    this.opts.logger?.info({ path, errcode, attempt, delayMs: ms }, 'WeCom busy or rate limited, backing off');
    await this.sleep(ms);
  }
}
