import { expect } from 'chai';
import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import { REASONS, checkReason, checkLegalBasis, legalBasisRequired } from '../../src/exemptions/rules';
import { REASON_LABEL, refusalText } from '../../src/exemptions/messages';
import { parseForm } from '../../src/exemptions/form';
import { AppError } from '../../src/errors';

/** SPEC 2 Art. 6-8 as CONTRACT.md fixes the codes: the source's lists, nothing else. */
const SPEC: Record<AdjustmentKind, string[]> = {
  add: ['law_requires', 'power_delegated', 'function_change', 'still_required_omitted', 'other'],
  change: ['unit_changed', 'item_renamed', 'certificate_changed', 'method_changed', 'other'],
  cancel: ['law_removes_item', 'government_abolished_item', 'function_change', 'other'],
};
const KINDS: AdjustmentKind[] = ['add', 'change', 'cancel'];

function refusal(fn: () => void): { code: string; reason: string } {
  try {
    fn();
  } catch (e) {
    const err = e as AppError;
    return { code: err.code, reason: (err.details as { reason: string }).reason };
  }
  throw new Error('expected a refusal');
}

describe('exemption adjustment reasons (SPEC 2 Art. 6-8) and the legal basis (Art. 3)', () => {
  it('the lists are exactly the source\'s, in its order', () => {
    expect(REASONS).to.deep.equal(SPEC);
  });

  for (const kind of KINDS) {
    it(`${kind}: every reason of Art. ${{ add: 6, change: 7, cancel: 8 }[kind]} is accepted, every other kind's is refused`, () => {
      for (const reason of SPEC[kind]) expect(() => checkReason(kind, reason, 'explained'), reason).to.not.throw();
      const foreign = KINDS.filter((k) => k !== kind).flatMap((k) => SPEC[k]).filter((r) => !SPEC[kind].includes(r));
      expect(foreign.length).to.be.greaterThan(0);
      for (const reason of foreign) expect(refusal(() => checkReason(kind, reason, 'explained')), reason).to.deep.equal({ code: 'validation_failed', reason: 'reason_invalid' });
      for (const old of ['new_legal_basis', 'data_sharing_available', 'basis_amended', 'issuer_unavailable']) expect(refusal(() => checkReason(kind, old, null)).reason, old).to.equal('reason_invalid');
    });
  }

  it('"other" needs a written explanation', () => {
    for (const kind of KINDS) {
      for (const note of [undefined, null, '', '   ']) expect(refusal(() => checkReason(kind, 'other', note))).to.deep.equal({ code: 'validation_failed', reason: 'note_required' });
      expect(() => checkReason(kind, 'other', '上级部门要求调整')).to.not.throw();
    }
  });

  it('every reason has a Chinese label, and the chat form reads the labels', () => {
    for (const kind of KINDS) {
      for (const reason of SPEC[kind]) {
        const label = REASON_LABEL[reason];
        expect(label, reason).to.match(/[\u4e00-\u9fff]/);
        const form = kind === 'add' ? '事项：甲\n材料：乙\n出具单位：GAJ\n方式：部门核验\n依据：丙' : kind === 'change' ? '条目编号：1\n依据：丙\n方式：数据共享' : '条目编号：1\n依据：丙';
        const { values, errors } = parseForm(kind, `${form}\n原因：${label}\n起因日期：2026-11-20\n说明：情况说明`);
        expect(errors, `${kind} ${reason}`).to.deep.equal([]);
        expect(values.reason).to.equal(reason);
      }
    }
    expect(parseForm('cancel', '条目编号：1\n依据：丙\n原因：其他\n起因日期：2026-11-20').errors).to.deep.equal(['原因为“其他”时，请在“说明”中写明具体情形']);
    expect(parseForm('cancel', '条目编号：1\n原因：机构职能调整\n起因日期：2026-11-20').errors).to.deep.equal(['请填写“依据”']);
  });

  it('a legal basis is required to add, change or cancel a certificate; not for a change of the method alone', () => {
    expect(legalBasisRequired('add', 'law_requires', [])).to.equal(true);
    expect(legalBasisRequired('cancel', 'function_change', [])).to.equal(true);
    expect(legalBasisRequired('change', 'certificate_changed', ['certificate'])).to.equal(true);
    expect(legalBasisRequired('change', 'method_changed', ['method', 'certificate'])).to.equal(true);
    expect(legalBasisRequired('change', 'method_changed', ['method'])).to.equal(false);
    expect(legalBasisRequired('change', 'method_changed', ['method', 'defaultCategory'])).to.equal(false);
    expect(refusal(() => checkLegalBasis('cancel', 'law_removes_item', [], '  '))).to.deep.equal({ code: 'validation_failed', reason: 'legal_basis_required' });
    expect(() => checkLegalBasis('change', 'method_changed', ['method'], undefined)).to.not.throw();
  });

  it('the chat explains each refusal in Chinese', () => {
    expect(refusalText({ reason: 'reason_invalid' })).to.equal('调整原因与调整类型不符');
    expect(refusalText({ reason: 'note_required' })).to.include('说明');
    expect(refusalText({ reason: 'legal_basis_required' })).to.include('依据');
  });
});
