/**
 * The XML WeCom posts to an app's receive-message URL, before and after encryption
 * (WECOM.md §1-2; DOC 90240 template card events; kf_msg_or_event DOC 94670).
 * Encryption and signature come from @wecom/crypto, never hand-rolled.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import type { SelectedItem } from './template-card';

/** CDATA section; a literal "]]>" is split across two sections. */
export function cdata(s: string): string {
  return `<![CDATA[${s.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

type Field = [name: string, value: string | number, kind?: 'cdata' | 'plain' | 'raw'];

function xml(fields: Field[]): string {
  const body = fields
    .map(([name, value, kind]) => {
      const k = kind ?? (typeof value === 'number' ? 'plain' : 'cdata');
      const v = k === 'cdata' ? cdata(String(value)) : String(value);
      return `<${name}>${v}</${name}>`;
    })
    .join('');
  return `<xml>${body}</xml>`;
}

export interface Common {
  corpId: string;
  fromUser: string;
  createTime: number;
  agentId: number;
}

export function textMessageXml(c: Common & { content: string; msgId: string }): string {
  return xml([
    ['ToUserName', c.corpId],
    ['FromUserName', c.fromUser],
    ['CreateTime', c.createTime],
    ['MsgType', 'text'],
    ['Content', c.content],
    ['MsgId', c.msgId, 'plain'],
    ['AgentID', c.agentId],
  ]);
}

export function enterAgentXml(c: Common): string {
  return xml([
    ['ToUserName', c.corpId],
    ['FromUserName', c.fromUser],
    ['CreateTime', c.createTime],
    ['MsgType', 'event'],
    ['Event', 'enter_agent'],
    ['EventKey', ''],
    ['AgentID', c.agentId],
  ]);
}

export function cardEventXml(
  c: Common & {
    event: 'template_card_event' | 'template_card_menu_event';
    eventKey: string;
    taskId: string;
    cardType: string;
    responseCode: string;
    selectedItems?: SelectedItem[];
  },
): string {
  const fields: Field[] = [
    ['ToUserName', c.corpId],
    ['FromUserName', c.fromUser],
    ['CreateTime', c.createTime],
    ['MsgType', 'event'],
    ['Event', c.event],
    ['EventKey', c.eventKey],
    ['TaskId', c.taskId],
    ['CardType', c.cardType],
    ['ResponseCode', c.responseCode],
    ['AgentID', c.agentId],
  ];
  if (c.selectedItems && c.selectedItems.length) {
    const items = c.selectedItems
      .map(
        (s) =>
          `<SelectedItem><QuestionKey>${cdata(s.questionKey)}</QuestionKey><OptionIds>` +
          s.optionIds.map((id) => `<OptionId>${cdata(id)}</OptionId>`).join('') +
          `</OptionIds></SelectedItem>`,
      )
      .join('');
    fields.push(['SelectedItems', items, 'raw']);
  }
  return xml(fields);
}

export function kfEventXml(c: { corpId: string; createTime: number; token: string; openKfId: string }): string {
  return xml([
    ['ToUserName', c.corpId],
    ['CreateTime', c.createTime],
    ['MsgType', 'event'],
    ['Event', 'kf_msg_or_event'],
    ['Token', c.token],
    ['OpenKfId', c.openKfId],
  ]);
}

export interface SignedCallback {
  query: Record<string, string>;
  body: string;
  encrypt: string;
}

export interface SealOptions {
  token: string;
  encodingAESKey: string;
  receiveId: string;
  toUserName: string;
  agentId: number | string;
  timestamp: string;
  nonce?: string;
  random?: Buffer;
}

export function randomNonce(): string {
  return String(randomInt(100_000_000, 2_000_000_000));
}

/** Encrypts plain XML and wraps it in the POST envelope with its query signature. */
export function sealCallback(plainXml: string, o: SealOptions): SignedCallback {
  const nonce = o.nonce ?? randomNonce();
  const enc = encrypt(o.encodingAESKey, plainXml, o.receiveId, o.random ?? randomBytes(16));
  const signature = getSignature(o.token, o.timestamp, nonce, enc);
  const body = xml([
    ['ToUserName', o.toUserName],
    ['AgentID', String(o.agentId)],
    ['Encrypt', enc],
  ]);
  return { query: { msg_signature: signature, timestamp: o.timestamp, nonce }, body, encrypt: enc };
}

/** The GET URL-verification query: echostr is the encrypted plaintext, signed as the 4th string. */
export function sealEchostr(
  echostrPlain: string,
  o: Omit<SealOptions, 'toUserName' | 'agentId'>,
): Record<string, string> {
  const nonce = o.nonce ?? randomNonce();
  const echostr = encrypt(o.encodingAESKey, echostrPlain, o.receiveId, o.random ?? randomBytes(16));
  return { msg_signature: getSignature(o.token, o.timestamp, nonce, echostr), timestamp: o.timestamp, nonce, echostr };
}

/** A passive reply to a card click (DOC 90241): what the clicker's card becomes. */
export type PassiveReply =
  | { kind: 'update_button'; replaceName: string }
  | { kind: 'update_template_card'; card: Record<string, unknown> }
  | { kind: 'invalid'; reason: string };

const passiveParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: false, trimValues: true });

/**
 * Reads the app's answer to a card click as WeCom does: an encrypted envelope
 * `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` whose plaintext has MsgType
 * update_button (Button.ReplaceName) or update_template_card (TemplateCard).
 */
export function openPassiveReply(body: string, o: { token: string; encodingAESKey: string; receiveId: string }): PassiveReply {
  let outer: any;
  try {
    outer = passiveParser.parse(body)?.xml;
  } catch {
    return { kind: 'invalid', reason: 'not XML' };
  }
  if (!outer || typeof outer.Encrypt !== 'string') return { kind: 'invalid', reason: 'no Encrypt' };
  if (getSignature(o.token, String(outer.TimeStamp ?? ''), String(outer.Nonce ?? ''), outer.Encrypt) !== String(outer.MsgSignature ?? '')) {
    return { kind: 'invalid', reason: 'bad MsgSignature' };
  }
  let plain: { message: string; id: string };
  try {
    plain = decrypt(o.encodingAESKey, outer.Encrypt);
  } catch {
    return { kind: 'invalid', reason: 'cannot decrypt' };
  }
  if (plain.id !== o.receiveId) return { kind: 'invalid', reason: 'wrong receiveid' };
  const inner = passiveParser.parse(plain.message)?.xml ?? {};
  if (inner.MsgType === 'update_button' && typeof inner.Button?.ReplaceName === 'string' && inner.Button.ReplaceName) {
    return { kind: 'update_button', replaceName: inner.Button.ReplaceName };
  }
  if (inner.MsgType === 'update_template_card' && inner.TemplateCard && typeof inner.TemplateCard === 'object') {
    return { kind: 'update_template_card', card: inner.TemplateCard };
  }
  return { kind: 'invalid', reason: `unknown MsgType ${String(inner.MsgType)}` };
}
