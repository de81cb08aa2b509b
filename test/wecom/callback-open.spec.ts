/**
 * The per-callback work made cheaper (issue 14): the one-pass reader of flat XML must give
 * exactly what the general parser gives and refuse exactly what it refuses; the decryption
 * with a cached key must open what WeCom seals and refuse what it did not seal.
 */
import crypto from 'crypto';
import { expect } from 'chai';
import { encrypt } from '@wecom/crypto';
import { cardEventXml, enterAgentXml, kfEventXml, textMessageXml } from '../../src/sandbox';
import { decryptFor, parseFlatXml, parseXml, parseXmlFully } from '../../src/wecom/callback';
import { AppError } from '../../src/errors';
import { freshWeComKeys } from '../helpers/keys';

/** What a parse gives: its fields, or the error code it throws. */
function outcome(parse: (xml: string) => unknown, xml: string): unknown {
  try {
    return { fields: parse(xml) };
  } catch (e) {
    return { refused: e instanceof AppError ? e.code : String(e) };
  }
}

describe('wecom: opening a callback (flat XML reader, cached-key decryption)', () => {
  const common = { corpId: 'wwcorp01', fromUser: 'zhangsan', createTime: 1764140000, agentId: 1000002 };
  const documents = [
    textMessageXml({ ...common, content: '你好 <b>&amp; a > b', msgId: '7412345678901234567' }),
    textMessageXml({ ...common, content: 'split ]]> inside', msgId: '1' }),
    textMessageXml({ ...common, content: '', msgId: '2' }),
    enterAgentXml(common),
    cardEventXml({ ...common, event: 'template_card_event', eventKey: 'verif_accept:vr1_a', taskId: 'vr1_a', cardType: 'button_interaction', responseCode: 'rc1' }),
    cardEventXml({ ...common, event: 'template_card_event', eventKey: 'submit', taskId: 't2', cardType: 'vote_interaction', responseCode: 'rc2', selectedItems: [{ questionKey: 'q', optionIds: ['a', 'b'] }] }),
    kfEventXml({ corpId: 'wwcorp01', createTime: 1764140000, token: 'tok', openKfId: 'wkX' }),
    '<xml><ToUserName><![CDATA[wwcorp01]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>',
    '<xml>\n<ToUserName><![CDATA[wwcorp01]]></ToUserName>\n<Encrypt><![CDATA[abc]]></Encrypt>\n</xml>',
    '<xml><A></A><B> spaced </B><C>1</C><C>2</C></xml>',
    '<?xml version="1.0"?><xml><A>x</A></xml>',
  ];

  it('gives exactly the fields of the general parser for every callback shape WeCom sends', () => {
    for (const xml of documents) expect(outcome(parseXml, xml), xml).to.deep.equal(outcome(parseXmlFully, xml));
    // The common shapes take the one-pass path; nested, repeated or spaced ones do not.
    expect(documents.map((d) => parseFlatXml(d) !== null)).to.deep.equal([true, false, true, true, true, false, true, true, false, false, false]);
  });

  it('every truncation and every single-character corruption of a callback is read as the general parser reads it', () => {
    const base = [documents[0], documents[4], documents[7]];
    let flat = 0;
    for (const xml of base) {
      const variants: string[] = [];
      for (let i = 0; i <= xml.length; i++) {
        variants.push(xml.slice(0, i));
        for (const c of ['<', '>', '&', ' ', '/', ']]>', '<!--', 'x']) variants.push(xml.slice(0, i) + c + xml.slice(i));
        variants.push(xml.slice(0, i) + xml.slice(i + 1));
      }
      for (const v of variants) {
        if (parseFlatXml(v)) flat++;
        expect(outcome(parseXml, v), v).to.deep.equal(outcome(parseXmlFully, v));
      }
    }
    expect(flat).to.be.greaterThan(100); // the comparison covered the one-pass path too
  });

  it('refuses a DOCTYPE, an entity and prototype-polluting names as before', () => {
    for (const xml of ['<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>', '<xml><A>&amp;</A></xml>', '<xml><constructor>1</constructor></xml>', '<xml><__proto__>1</__proto__></xml>']) {
      expect(outcome(parseXml, xml), xml).to.deep.equal(outcome(parseXmlFully, xml));
      expect(parseFlatXml(xml)).to.equal(null);
    }
    expect(outcome(parseXml, '<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>')).to.deep.equal({ refused: 'wecom_xml_invalid' });
  });

  describe('decryption', () => {
    const keys = freshWeComKeys();
    const key = Buffer.from(`${keys.aesKey}=`, 'base64');
    /** AES-256-CBC over raw bytes, as WeCom does, with padding of our choosing. */
    const seal = (plain: Buffer) => {
      const c = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
      c.setAutoPadding(false);
      return Buffer.concat([c.update(plain), c.final()]).toString('base64');
    };
    const framed = (msg: Buffer, id: string) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(msg.length);
      return Buffer.concat([crypto.randomBytes(16), len, msg, Buffer.from(id)]);
    };
    const padded = (b: Buffer, pad = 32 - (b.length % 32)) => Buffer.concat([b, Buffer.alloc(pad, pad)]);
    const code = (enc: string) => {
      try {
        decryptFor(keys, enc);
        return 'opened';
      } catch (e) {
        return (e as AppError).code;
      }
    };

    it('opens what WeCom seals, for this key and after another key was used', () => {
      expect(decryptFor(keys, encrypt(keys.aesKey, '<xml><A>中文</A></xml>', keys.corpId))).to.equal('<xml><A>中文</A></xml>');
      const other = freshWeComKeys();
      expect(decryptFor(other, encrypt(other.aesKey, 'x', other.corpId))).to.equal('x');
      expect(decryptFor(keys, encrypt(keys.aesKey, 'y', keys.corpId))).to.equal('y');
    });

    it('refuses another CorpID, bad padding, a length beyond the data, and bytes that are not UTF-8', () => {
      expect(code(encrypt(keys.aesKey, 'x', 'wwsomeoneelse'))).to.equal('wecom_corp_mismatch');
      expect(code(seal(padded(framed(Buffer.from('ok'), keys.corpId))))).to.equal('opened');
      const body = framed(Buffer.from('ok'), keys.corpId);
      const badPad = padded(body);
      badPad[badPad.length - 2] ^= 1;
      expect(code(seal(badPad))).to.equal('wecom_decrypt_failed');
      const zeroPad = Buffer.concat([body, Buffer.alloc(32 - (body.length % 32), 0)]);
      expect(code(seal(zeroPad))).to.equal('wecom_decrypt_failed');
      const long = Buffer.from(body);
      long.writeUInt32BE(10_000, 16);
      expect(code(seal(padded(long)))).to.equal('wecom_decrypt_failed');
      expect(code(seal(padded(framed(Buffer.from([0xc3, 0x28]), keys.corpId))))).to.equal('wecom_decrypt_failed');
      expect(code('not base64!')).to.equal('wecom_decrypt_failed');
      expect(code(Buffer.alloc(5).toString('base64'))).to.equal('wecom_decrypt_failed');
    });
  });
});
