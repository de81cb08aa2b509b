import { expect } from 'chai';
import { GramIndex, fold } from '../../src/exemptions/gram-index';

describe('n-gram substring index (public search)', () => {
  const docs = [
    ['失业保险金申领', '户籍证明'],
    ['城乡居民养老保险参保登记', '无犯罪记录证明'],
    ['100%退税_申请', '完税证明'],
    ['ＡＢＣ事项', 'Abc证明'],
    ['证', '明'],
  ];
  const idx = new GramIndex(docs);

  it('one-, two- and longer terms; several terms; case and width folded; no match across fields', () => {
    expect([...idx.search(['证'])]).to.deep.equal([0, 1, 2, 3, 4]);
    expect([...idx.search(['证明'])]).to.deep.equal([0, 1, 2, 3]);
    expect([...idx.search(['保险金申'])]).to.deep.equal([0]);
    expect([...idx.search(['保险', '犯罪'])]).to.deep.equal([1]);
    expect([...idx.search(['abc'])]).to.deep.equal([3]);
    expect([...idx.search(['证明'.split('').join('')])]).to.deep.equal([0, 1, 2, 3]);
    expect([...idx.search(['申领户'])], 'item end + certificate start is not a match').to.deep.equal([]);
    expect([...idx.search(['%退'])]).to.deep.equal([2]);
    expect([...idx.search(['不存在'])]).to.deep.equal([]);
    expect([...idx.search([])]).to.deep.equal([0, 1, 2, 3, 4]);
    expect(fold('ＡＢＣ')).to.equal('abc');
  });

  it('agrees with a plain scan on random texts', () => {
    const alphabet = '证明户籍保险申领登记无犯罪ab';
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (len: number) => Array.from({ length: len }, () => alphabet[rnd(alphabet.length)]).join('');
    const many = Array.from({ length: 300 }, () => [word(1 + rnd(12)), word(1 + rnd(8))]);
    const index = new GramIndex(many);
    for (let q = 0; q < 300; q++) {
      const terms = Array.from({ length: 1 + rnd(2) }, () => word(1 + rnd(4)));
      const expected = many.map((d, i) => [d, i] as const).filter(([d]) => terms.every((t) => d.some((f) => f.includes(t)))).map(([, i]) => i);
      expect([...index.search(terms)], terms.join(' ')).to.deep.equal(expected);
    }
  });
});
