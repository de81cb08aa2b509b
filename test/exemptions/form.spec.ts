import { expect } from 'chai';
import { parseForm, normaliseDate, looksLikeForm } from '../../src/exemptions/form';
import { MSG } from '../../src/exemptions/messages';
import { REASONS } from '../../src/exemptions/rules';

describe('exemption chat form (pure)', () => {
  it('reads a filled add form, with labels, full-width colons and Chinese values', () => {
    const { values, errors } = parseForm(
      'add',
      '【新增事项】\n事项：失业保险金申领\n材料: 户籍证明\n出具单位：县公安局\n方式：部门核验\n依据：《失业保险条例》\n类别：纸质档案\n原因：法律法规颁布或修订需增加证明材料\n起因日期：2026年11月25日\n说明：',
    );
    expect(errors).to.deep.equal([]);
    expect(values).to.deep.equal({
      serviceItem: '失业保险金申领',
      certificate: '户籍证明',
      issuerUnit: '县公安局',
      method: 'verification',
      legalBasis: '《失业保险条例》',
      defaultCategory: 'paper',
      reason: 'law_requires',
      causeDate: '2026-11-25',
    });
  });

  it('the untouched template lists what is missing; hints count as empty', () => {
    const { errors } = parseForm('add', MSG.form('add', REASONS.add));
    expect(errors).to.include(MSG.formMissing('事项')).and.include(MSG.formMissing('原因')).and.include(MSG.formMissing('起因日期'));
  });

  it('bad values are named: method, category, reason of another kind, date, entry id, unknown label', () => {
    const { errors } = parseForm('change', '条目编号：十二\n方式：快递\n类别：云端\n原因：法律法规颁布、修订或废止需取消事项\n起因日期：2026-02-30\n颜色：红');
    expect(errors).to.include(MSG.formBadEntryId).and.include(MSG.formBadMethod).and.include(MSG.formBadCategory).and.include(MSG.formBadDate).and.include(MSG.formUnknownLabel('颜色'));
    expect(errors.some((e) => e.startsWith('“原因”'))).to.equal(true);
  });

  it('a change must change something; a cancel ignores entry fields', () => {
    expect(parseForm('change', '条目编号：#3\n原因：证明材料名称或种类变更\n起因日期：2026-11-20').errors).to.include(MSG.formNothingToChange);
    const c = parseForm('cancel', '条目编号：3\n依据：《某某决定》\n原因：国务院或省市县政府决定取消事项\n起因日期：2026/11/20\n事项：忽略');
    expect(c.errors).to.deep.equal([]);
    expect(c.values).to.deep.equal({ entryId: 3, legalBasis: '《某某决定》', reason: 'government_abolished_item', causeDate: '2026-11-20' });
  });

  it('a known cause date (a recorded draft) is not asked for again', () => {
    expect(parseForm('cancel', '条目编号：3\n依据：《某某决定》\n原因：机构职能调整', { causeDateKnown: true }).errors).to.deep.equal([]);
  });

  it('too long values are refused', () => {
    expect(parseForm('add', `事项：${'长'.repeat(201)}`).errors).to.include(MSG.formTooLong('事项', 200));
  });

  it('dates and form detection', () => {
    expect(normaliseDate('2026.1.5')).to.equal('2026-01-05');
    expect(normaliseDate('2026-13-01')).to.equal(null);
    expect(looksLikeForm('你好')).to.equal(false);
    expect(looksLikeForm('事项：低保')).to.equal(true);
  });
});
