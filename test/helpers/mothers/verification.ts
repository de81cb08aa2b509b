import { idCheckChar } from '../../../src/verification/id-number';
import type { VerificationCardView } from '../../../cards/verification.card';

/** A valid GB 11643 number built from 17 digits (check character computed). */
export function idNumber(first17 = '37032319900307123'): string {
  return `${first17}${idCheckChar(first17)}`;
}

/** The same number with a wrong check character. */
export function badIdNumber(first17 = '37032319900307123'): string {
  const good = idCheckChar(first17);
  return `${first17}${good === '1' ? '2' : '1'}`;
}

export interface CreateBody {
  requesterUnit: string;
  issuerUnit?: string;
  serviceItem?: string;
  certificate?: string;
  category?: string;
  applicant: { name: string; idNumber: string };
  question: string;
  listEntryId?: number | null;
  requestedBy?: string | null;
  caseStartedAt?: string | null;
}

/** Object mother for verification requests. */
export const VerificationMother = {
  body(over: Partial<CreateBody> = {}): CreateBody {
    return {
      requesterUnit: 'RSJ',
      issuerUnit: 'GAJ',
      serviceItem: '失业保险金申领',
      certificate: '无犯罪记录证明',
      category: 'digital',
      applicant: { name: '张小三', idNumber: idNumber() },
      question: '申请人是否有犯罪记录',
      ...over,
    };
  },
  mismatchDetails: '经查，申请人2019年有一条治安处罚记录，与申报不符。',
  returnReason: '该证明不属于本单位职责，请向司法局核验。',
};

/** The view a verification card is built from, for golden-card tests. */
export function cardView(over: Partial<VerificationCardView> = {}): VerificationCardView {
  return {
    id: 42,
    number: 'HC20261126-0001',
    requesterUnitName: '县人力资源和社会保障局',
    issuerUnitName: '县公安局',
    serviceItem: '失业保险金申领',
    certificate: '无犯罪记录证明',
    category: 'digital',
    dueAt: new Date('2026-11-26T01:30:00Z'),
    applicantName: '张小三',
    applicantIdNumber: idNumber(),
    question: `申请人张小三（${idNumber()}）自2020年以来是否有犯罪记录`,
    detailUrl: 'https://nocert.example.gov.cn/v/42',
    tz: 'Asia/Shanghai',
    ...over,
  };
}
