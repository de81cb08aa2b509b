import { expect } from 'chai';
import { matchAgency } from '../../src/complaints/agency-match';
import { AgencyMother } from '../helpers/mothers/complaint-flow';

describe('complaints/agency-match', () => {
  const county = AgencyMother.county();
  const codes = (q: string): string[] => matchAgency(q, county).candidates.map((c) => c.code);

  it('finds an exact name, ignoring spaces, punctuation and full-width forms', () => {
    expect(matchAgency('县公安局', county)).to.deep.include({ kind: 'exact' });
    expect(matchAgency(' 县 公安局。', county).kind).to.equal('exact');
    expect(codes('县公安局')).to.deep.equal(['PSB']);
  });

  it('finds an alias exactly', () => {
    const m = matchAgency('市监局', county);
    expect(m.kind).to.equal('exact');
    expect(m.candidates[0].code).to.equal('MSA');
  });

  it('takes one confident match for a name without 县, a substring or an abbreviation', () => {
    for (const [q, code] of [
      ['民政局', 'CIVIL'],
      ['人力资源社会保障局', 'HRSS'],
      ['人社局', 'HRSS'],
      ['住建局', 'HOUSING'],
      ['教体局', 'EDU'],
      ['沂源县人社局', 'HRSS'],
      ['淄博市沂源县民政局', 'CIVIL'],
    ]) {
      const m = matchAgency(q, county);
      expect(m.kind, q).to.equal('one');
      expect(m.candidates.map((c) => c.code), q).to.deep.equal([code]);
    }
  });

  it('suggests several when the words fit more than one unit', () => {
    const m = matchAgency('公安', county);
    expect(m.kind).to.equal('several');
    expect(m.candidates.map((c) => c.code)).to.deep.equal(['PSB', 'PSB-TRAFFIC']);
  });

  it('suggests the likely unit for a typo rather than taking it silently', () => {
    const m = matchAgency('县公按局', county);
    expect(m.kind).to.equal('several');
    expect(m.candidates[0].code).to.equal('PSB');
  });

  it('finds nothing for unrelated words, a single character or nonsense', () => {
    for (const q of ['火星大使馆', '局', 'zzz', '', '😀']) {
      expect(matchAgency(q, county), q).to.deep.equal({ kind: 'none', candidates: [] });
    }
  });

  it('never returns more candidates than the limit', () => {
    const m = matchAgency('县局', county, 3);
    expect(m.kind).to.equal('several');
    expect(m.candidates).to.have.length(3);
  });

  it('answers within a few milliseconds per query over 500 units', () => {
    const many = AgencyMother.many(500);
    expect(many).to.have.length(500);
    const queries = ['人社局', '南麻镇派出所', '鲁村卫生院', '县公按局', '燕崖镇财政所', '不存在的单位', '中心学校', '税务'];
    matchAgency('预热', many);
    const started = process.hrtime.bigint();
    const rounds = 50;
    for (let i = 0; i < rounds; i++) for (const q of queries) matchAgency(q, many);
    const perQueryMs = Number(process.hrtime.bigint() - started) / 1e6 / (rounds * queries.length);
    expect(perQueryMs).to.be.below(5);
    expect(matchAgency('南麻镇派出所', many).candidates[0].name).to.equal('南麻镇派出所');
    // A fresh array (no cache) is also fast enough for one call.
    const cold = process.hrtime.bigint();
    matchAgency('人社局', AgencyMother.many(500));
    expect(Number(process.hrtime.bigint() - cold) / 1e6).to.be.below(100);
  });
});
