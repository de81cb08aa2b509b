/** Types of the WeCom transport: bodies and answers of the calls nocert makes (WECOM.md). */
import type { OutboxChannel } from '../../entities/OutboxMessage';

export type { OutboxChannel };

/** Which secret's access_token a call needs: the app's, or WeChat Customer Service's. */
export type TokenKind = 'app' | 'kf';

/** The pino subset the transport logs through. Never pass tokens, secrets or message text. */
export interface WeComLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Where the transport reports counts; main.ts wires it to prom-client. */
export interface WeComMetrics {
  wecomError(errcode: number): void;
  outboxSent(channel: OutboxChannel): void;
  outboxFailed(channel: OutboxChannel): void;
}

export interface WeComAnswer {
  errcode: number;
  errmsg: string;
}

// ---------------------------------------------------------------- message/send (§3)

export interface TextContent {
  content: string;
}

/** A message/send body; agentid is added by the client. */
export interface MessageBody {
  touser?: string;
  toparty?: string;
  totag?: string;
  msgtype: 'text' | 'markdown' | 'textcard' | 'template_card' | (string & {});
  text?: TextContent;
  markdown?: TextContent;
  textcard?: { title: string; description: string; url: string; btntxt?: string };
  template_card?: Record<string, unknown> & { card_type: string; task_id?: string };
  safe?: 0 | 1;
  enable_id_trans?: 0 | 1;
  enable_duplicate_check?: 0 | 1;
  duplicate_check_interval?: number;
  [key: string]: unknown;
}

export interface SendMessageResult extends WeComAnswer {
  msgid?: string;
  /** Only for button_interaction, vote_interaction and multiple_interaction cards. */
  response_code?: string;
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
}

// ---------------------------------------------------------------- update_template_card (§4)

export interface UpdateTemplateCardBody {
  userids?: string[];
  partyids?: number[];
  tagids?: number[];
  atall?: 0 | 1;
  response_code: string;
  button?: { replace_name: string };
  template_card?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface UpdateTemplateCardResult extends WeComAnswer {
  invaliduser?: string[] | string;
}

// ---------------------------------------------------------------- appchat and robot (§5)

export interface AppchatCreateBody {
  name?: string;
  owner?: string;
  userlist: string[];
  chatid?: string;
}

export interface AppchatCreateResult extends WeComAnswer {
  chatid: string;
}

export interface AppchatSendBody {
  chatid: string;
  msgtype: 'text' | 'markdown' | (string & {});
  text?: TextContent;
  markdown?: TextContent;
  safe?: 0 | 1;
  [key: string]: unknown;
}

export interface RobotMessage {
  msgtype: 'text' | 'markdown' | (string & {});
  text?: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] };
  markdown?: TextContent;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- WeChat Customer Service (§6)

export interface KfSyncMsgRequest {
  cursor?: string;
  token?: string;
  limit?: number;
  open_kfid?: string;
  voice_format?: number;
}

export interface KfMsgItem {
  msgid: string;
  open_kfid?: string;
  external_userid?: string;
  send_time: number;
  /** 3 customer, 4 system event, 5 servicer. */
  origin: number;
  servicer_userid?: string;
  msgtype: string;
  text?: { content: string; menu_id?: string };
  event?: {
    event_type: string;
    open_kfid?: string;
    external_userid?: string;
    scene?: string;
    scene_param?: string;
    welcome_code?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface KfSyncMsgResult extends WeComAnswer {
  next_cursor: string;
  has_more: 0 | 1;
  msg_list: KfMsgItem[];
}

export interface KfMsgMenu {
  head_content?: string;
  list: Array<{ type: 'click' | 'view' | 'miniprogram' | 'text'; [key: string]: unknown }>;
  tail_content?: string;
}

export interface KfSendMsgBody {
  touser: string;
  open_kfid: string;
  /** Our own id, [0-9a-zA-Z_-], up to 32 bytes: lets a resend be recognised. */
  msgid?: string;
  msgtype: 'text' | 'msgmenu' | (string & {});
  text?: TextContent;
  msgmenu?: KfMsgMenu;
  [key: string]: unknown;
}

export interface KfSendMsgOnEventBody {
  code: string;
  msgid?: string;
  msgtype: 'text' | 'msgmenu' | (string & {});
  text?: TextContent;
  msgmenu?: KfMsgMenu;
  [key: string]: unknown;
}

export interface KfSendResult extends WeComAnswer {
  msgid: string;
}

// ---------------------------------------------------------------- OAuth (§8)

/** A member's identity; WeCom answers openid instead of userid for a non-member, which we refuse. */
export interface UserInfoResult extends WeComAnswer {
  userid: string;
  user_ticket?: string;
}

// ---------------------------------------------------------------- outbox payloads

/** Payload of a 'robot' outbox row: `webhook` is a name from the dispatcher's `robots` map or the webhook address. */
export interface RobotOutboxPayload {
  webhook: string;
  message: RobotMessage;
}
