import crypto from 'crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { getSignature } from '@wecom/crypto';
import { AppError } from '../errors';

/** Everything needed to verify callbacks of one self-built app (WECOM.md §1). */
export interface CallbackKeys {
  token: string;
  aesKey: string;
  corpId: string;
  agentId: number;
}

export const MAX_CALLBACK_BYTES = 256 * 1024;

/** Decrypted callback fields; every value kept as a string (MsgId is 64-bit). */
export type CallbackFields = Record<string, string | Record<string, unknown> | undefined>;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  ignoreDeclaration: true,
  allowBooleanAttributes: false,
});

/** Parses WeCom XML: no DTDs, no entities (XXE and billion-laughs are refused outright). */
export function parseXml(xml: string): Record<string, unknown> {
  return parseFlatXml(xml) ?? parseXmlFully(xml);
}

/** The general path: fast-xml-parser's validator, then its parser. */
export function parseXmlFully(xml: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new AppError('wecom_xml_invalid', 'XML with a DOCTYPE or entity declaration is refused');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new AppError('wecom_xml_invalid', `malformed XML: ${valid.err.msg}`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    // The validator accepts what the parser then refuses (e.g. "Maximum nested tags exceeded").
    throw new AppError('wecom_xml_invalid', `malformed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const root = doc.xml;
  if (!root || typeof root !== 'object') throw new AppError('wecom_xml_invalid', 'XML root element must be <xml>');
  return root as Record<string, unknown>;
}

const FLAT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Names fast-xml-parser refuses or renames (prototype pollution): the general path decides. */
const RESERVED = new Set(['constructor', 'prototype', 'hasownproperty', 'tostring', 'valueof']);

/**
 * The shape nearly every callback has, read in one pass: `<xml>` holding distinct child
 * elements, each a single CDATA section or plain text (no markup, no `&`), no attributes,
 * no whitespace or text between them. Such a document is well-formed by construction and
 * yields exactly what parseXmlFully yields. Anything else returns null and takes the
 * general path (validator + parser), so nothing is accepted that was refused before.
 */
export function parseFlatXml(xml: string): Record<string, string> | null {
  if (!xml.startsWith('<xml>') || !xml.endsWith('</xml>')) return null;
  const end = xml.length - 6;
  const out: Record<string, string> = {};
  let i = 5;
  while (i < end) {
    if (xml.charCodeAt(i) !== 60 /* < */) return null;
    const gt = xml.indexOf('>', i);
    if (gt < 0 || gt > end) return null;
    const name = xml.slice(i + 1, gt);
    if (!FLAT_NAME.test(name) || RESERVED.has(name.toLowerCase()) || Object.prototype.hasOwnProperty.call(out, name)) return null;
    let j = gt + 1;
    let value: string;
    if (xml.startsWith('<![CDATA[', j)) {
      const close = xml.indexOf(']]>', j + 9);
      if (close < 0) return null;
      value = xml.slice(j + 9, close);
      j = close + 3;
    } else {
      const lt = xml.indexOf('<', j);
      if (lt < 0) return null;
      value = xml.slice(j, lt);
      if (value.includes('&') || value.includes(']]>')) return null;
      j = lt;
    }
    // The closing tag must follow at once: `</name>`.
    if (xml.charCodeAt(j) !== 60 || xml.charCodeAt(j + 1) !== 47 /* / */ || !xml.startsWith(name, j + 2) || xml.charCodeAt(j + 2 + name.length) !== 62 /* > */) return null;
    i = j + name.length + 3;
    out[name] = value;
  }
  return i === end ? out : null;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  // Compare equal-length buffers only; a length mismatch still costs one comparison.
  if (ba.length !== bb.length) {
    crypto.timingSafeEqual(bb, bb);
    return false;
  }
  return crypto.timingSafeEqual(ba, bb);
}

export function verifySignature(keys: Pick<CallbackKeys, 'token'>, q: { msg_signature?: string; timestamp?: string; nonce?: string }, encrypted: string): void {
  if (!q.msg_signature || !q.timestamp || !q.nonce) throw new AppError('wecom_signature_invalid', 'msg_signature, timestamp and nonce are required');
  const expected = getSignature(keys.token, q.timestamp, q.nonce, encrypted);
  if (!safeEqual(expected, q.msg_signature)) throw new AppError('wecom_signature_invalid', 'signature does not match');
}

/** The AES key and IV of an EncodingAESKey, decoded once per key (not once per callback). */
let keyCache: { aesKey: string; key: Buffer; iv: Buffer } | null = null;
function aesKeyOf(aesKey: string): { key: Buffer; iv: Buffer } {
  if (keyCache?.aesKey !== aesKey) {
    const raw = Buffer.from(`${aesKey}=`, 'base64');
    if (raw.length !== 32) throw new AppError('wecom_decrypt_failed', 'the EncodingAESKey is not 43 base64 characters');
    keyCache = { aesKey, key: raw, iv: raw.subarray(0, 16) };
  }
  return keyCache;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decrypts (AES-256-CBC, PKCS#7 padding to 32 bytes, WECOM.md §1) and checks receiveid.
 * Stricter than @wecom/crypto's decrypt, which it replaces on this path: the padding and
 * the length field must be consistent, and the message must be valid UTF-8.
 */
export function decryptFor(keys: Pick<CallbackKeys, 'aesKey' | 'corpId'>, encrypted: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted) || encrypted.length % 4 !== 0) {
    throw new AppError('wecom_decrypt_failed', 'Encrypt is not base64');
  }
  const { key, iv } = aesKeyOf(keys.aesKey);
  let plain: Buffer;
  try {
    const d = crypto.createDecipheriv('aes-256-cbc', key, iv);
    d.setAutoPadding(false);
    const data = Buffer.from(encrypted, 'base64');
    plain = data.length ? Buffer.concat([d.update(data), d.final()]) : data;
  } catch (e) {
    throw new AppError('wecom_decrypt_failed', 'Encrypt could not be decrypted', { cause: e });
  }
  const pad = plain.length ? plain[plain.length - 1] : 0;
  if (pad < 1 || pad > 32 || pad > plain.length) throw new AppError('wecom_decrypt_failed', 'Encrypt could not be decrypted');
  for (let k = plain.length - pad; k < plain.length; k++) if (plain[k] !== pad) throw new AppError('wecom_decrypt_failed', 'Encrypt could not be decrypted');
  const body = plain.subarray(0, plain.length - pad);
  // 16 random bytes, a 4-byte length, the message, then the receiveid.
  if (body.length < 20) throw new AppError('wecom_decrypt_failed', 'Encrypt could not be decrypted');
  const length = body.readUInt32BE(16);
  if (20 + length > body.length) throw new AppError('wecom_decrypt_failed', 'Encrypt could not be decrypted');
  if (body.subarray(20 + length).toString('latin1') !== keys.corpId) throw new AppError('wecom_corp_mismatch', 'receiveid is not our CorpID');
  try {
    // WeCom sends UTF-8 only: bytes that are not UTF-8 were not sealed by WeCom.
    return utf8.decode(body.subarray(20, 20 + length));
  } catch {
    throw new AppError('wecom_decrypt_failed', 'the decrypted message is not UTF-8');
  }
}

/**
 * How far the signed timestamp may be from our clock. WeCom retries a callback within
 * seconds (WECOM.md §1), so a body replayed later than this is refused before it is stored.
 */
export const MAX_TIMESTAMP_SKEW_SECONDS = 300;

export function checkFreshness(q: { timestamp?: string }, now: Date): void {
  const ts = Number(q.timestamp);
  if (!/^\d{1,12}$/.test(q.timestamp ?? '') || Math.abs(now.getTime() / 1000 - ts) > MAX_TIMESTAMP_SKEW_SECONDS) {
    throw new AppError('wecom_timestamp_stale', `timestamp is more than ${MAX_TIMESTAMP_SKEW_SECONDS} s from now`);
  }
}

/** GET URL verification: answers the decrypted echostr. */
export function verifyUrl(keys: CallbackKeys, q: Record<string, string | undefined>): string {
  const echostr = q.echostr;
  if (!echostr) throw new AppError('bad_request', 'echostr is required');
  verifySignature(keys, q, echostr);
  return decryptFor(keys, echostr);
}

export interface OpenedCallback {
  fields: CallbackFields;
  kind: string;
  dedupeKey: string;
}

/**
 * The whole POST check: outer XML -> signature -> timestamp freshness -> decrypt ->
 * receiveid -> inner XML -> AgentID.
 */
export function openCallback(keys: CallbackKeys, q: Record<string, string | undefined>, body: string, now: Date): OpenedCallback {
  if (!body.trim()) throw new AppError('wecom_body_empty', 'empty callback body');
  const outer = parseXml(body);
  const encrypted = outer.Encrypt;
  if (typeof encrypted !== 'string' || !encrypted) throw new AppError('wecom_xml_invalid', 'Encrypt is missing');
  verifySignature(keys, q, encrypted);
  checkFreshness(q, now);
  const plain = decryptFor(keys, encrypted);
  const fields = parseXml(plain) as CallbackFields;
  const agent = fields.AgentID;
  // kf_msg_or_event may arrive without an AgentID; an app message for another agent is refused.
  if (typeof agent === 'string' && agent.trim() !== '' && agent.trim() !== String(keys.agentId)) {
    throw new AppError('wecom_agent_mismatch', 'callback for another AgentID');
  }
  return { fields, kind: kindOf(fields), dedupeKey: dedupeKeyOf(fields) };
}

export function kindOf(f: CallbackFields): string {
  const t = String(f.MsgType ?? '');
  if (t === 'event') return String(f.Event ?? 'event');
  return t || 'unknown';
}

/**
 * Dedupe key for WeCom's retries (WECOM.md §1): MsgId for messages; for events
 * CreateTime+AgentID+FromUserName+Event+EventKey, plus TaskId/ResponseCode for card clicks
 * and Token for kf events. Hashed to fit the column.
 */
export function dedupeKeyOf(f: CallbackFields): string {
  const s = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
  const raw = s('MsgId')
    ? `msg:${s('MsgId')}`
    : ['evt', s('CreateTime'), s('AgentID'), s('FromUserName'), s('Event'), s('EventKey'), s('TaskId'), s('ResponseCode'), s('Token'), s('OpenKfId')].join('|');
  return crypto.createHash('sha256').update(raw).digest('hex');
}
