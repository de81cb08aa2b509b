import { expect } from 'chai';
import { checkText, isMeaningfulText, isValidPhone, maskPhone, normalizePhone, truncateUtf8 } from '../../src/complaints/validate';

describe('complaints/validate', () => {
  describe('normalizePhone / isValidPhone', () => {
    const valid: Array<[string, string]> = [
      ['13812345678', '13812345678'],
      ['199 0000 1111', '19900001111'],
      ['+86 138-1234-5678', '13812345678'],
      ['８６１３８１２３４５６７８', '13812345678'],
      ['0533-1234567', '0533-1234567'],
      ['05331234567', '0533-1234567'],
      ['053312345678', '0533-12345678'],
      ['010-12345678', '010-12345678'],
      ['01012345678', '010-12345678'],
      ['(0533)1234567', '0533-1234567'],
    ];
    for (const [raw, canonical] of valid) {
      it(`accepts ${JSON.stringify(raw)} as ${canonical}`, () => {
        expect(normalizePhone(raw)).to.equal(canonical);
        expect(isValidPhone(raw)).to.equal(true);
      });
    }
    const invalid = ['', '12812345678', '1381234567', '138123456789', '138abc12345', '电话13812345678', '533-1234567', '0533-123456', '0533-123456789', '1234567', '13812345678\u0000'];
    for (const raw of invalid) {
      it(`refuses ${JSON.stringify(raw)}`, () => {
        expect(normalizePhone(raw)).to.equal(null);
        expect(isValidPhone(raw)).to.equal(false);
      });
    }
  });

  describe('maskPhone', () => {
    it('masks the middle of a mobile and most of a landline', () => {
      expect(maskPhone('13812341234')).to.equal('138****1234');
      expect(maskPhone('138 1234 1234')).to.equal('138****1234');
      expect(maskPhone('0533-1234567')).to.equal('0533-***4567');
      expect(maskPhone('12345')).to.equal('*2345');
    });
  });

  describe('isMeaningfulText / checkText', () => {
    it('accepts ordinary Chinese and mixed text', () => {
      expect(isMeaningfulText('窗口要求开证明')).to.equal(true);
      expect(isMeaningfulText('ok 👍')).to.equal(true);
      expect(isMeaningfulText('第1次\n第2次')).to.equal(true);
    });
    it('rejects empty, whitespace, emoji-only, WeChat faces, control and replacement characters', () => {
      for (const s of ['', '   ', '\n\t', '😀😀', '👍🏻❤️', '[微笑][流泪]', '\u200B\u200B', 'a\u0000b', '\u0007', 'x\uFFFD', 'x\uD800']) {
        expect(isMeaningfulText(s), JSON.stringify(s)).to.equal(false);
      }
    });
    it('reports which problem a text has', () => {
      expect(checkText('  ', { max: 10 })).to.deep.include({ ok: false, problem: 'empty' });
      expect(checkText('😀', { max: 10 })).to.deep.include({ ok: false, problem: 'emoji_only' });
      expect(checkText('a\u0001', { max: 10 })).to.deep.include({ ok: false, problem: 'binary' });
      expect(checkText('好'.repeat(11), { max: 10 })).to.deep.equal({ ok: false, problem: 'too_long', length: 11 });
      expect(checkText('好的', { min: 5, max: 10 })).to.deep.include({ ok: false, problem: 'too_short' });
      expect(checkText(' 好的\r\n谢谢 ', { max: 10 })).to.deep.equal({ ok: true, value: '好的\n谢谢' });
    });
  });

  describe('truncateUtf8', () => {
    it('cuts at a character boundary within the byte budget', () => {
      const s = '中'.repeat(1000);
      const cut = truncateUtf8(s, 2048);
      expect(Buffer.byteLength(cut, 'utf8')).to.be.at.most(2048);
      expect(cut.endsWith('…')).to.equal(true);
      expect(cut).not.to.include('\uFFFD');
      expect(truncateUtf8('短', 2048)).to.equal('短');
      const emoji = truncateUtf8('😀'.repeat(10), 10);
      expect(Buffer.from(emoji, 'utf8').toString('utf8')).to.equal(emoji);
    });
  });
});
