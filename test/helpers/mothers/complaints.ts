import { UnitSpec } from './directory';

/** The county's units a citizen may name; each has a liaison, deputy A and deputy B. */
function unit(code: string, name: string, prefix: string): UnitSpec {
  return {
    code,
    name,
    staff: [
      { userid: `${prefix}.liaison`, name: `${prefix}联络员`, role: 'liaison', mobile: '13800001111' },
      { userid: `${prefix}.a`, name: `${prefix}代办A`, role: 'deputy', ab: 'A' },
      { userid: `${prefix}.b`, name: `${prefix}代办B`, role: 'deputy', ab: 'B' },
    ],
  };
}

export const AgencyUnits = {
  county(): UnitSpec[] {
    return [
      unit('HRSS', '县人力资源和社会保障局', 'hrss'),
      unit('PSB', '县公安局', 'psb'),
      unit('PSB-TRAFFIC', '县公安局交通警察大队', 'traffic'),
      unit('MSA', '县市场监督管理局', 'msa'),
      unit('CIVIL', '县民政局', 'civil'),
      { code: 'NOLIAISON', name: '县档案馆', staff: [] },
      { code: 'OFFICE', name: '联席会议办公室', isOffice: true, staff: [{ userid: 'office.duty', name: '办公室值班', role: 'member' }] },
    ];
  },
};

export interface ComplaintBody {
  channel: string;
  ground: string;
  agencyCode?: string | null;
  agencyName?: string | null;
  facts: string;
  request: string;
  name: string;
  phone: string;
  isProxy?: boolean;
  principalName?: string | null;
  receivedAt?: string;
  receivedBy?: string;
}

/** Object mother for complaints registered by staff (Art. 5 channels other than the chat). */
export const ComplaintMother = {
  hotline(over: Partial<ComplaintBody> = {}): ComplaintBody {
    return {
      channel: 'hotline_12345',
      ground: 'still_requires_certificate',
      agencyCode: 'HRSS',
      facts: '11月20日在政务服务大厅办理社保转移，窗口要求到村里开具居住证明，清单上写明该证明已免提交。',
      request: '希望不再要求提供居住证明，尽快办理社保转移。',
      name: '张小三',
      phone: '13812345678',
      receivedBy: '12345热线中心',
      ...over,
    };
  },
  letter(over: Partial<ComplaintBody> = {}): ComplaintBody {
    return ComplaintMother.hotline({ channel: 'letter', receivedBy: '审批服务窗口', phone: '0533-1234567', name: '李四', facts: '公安局户籍窗口办理户口迁移时要求提供无犯罪记录证明，多次往返仍未办成。', agencyCode: 'PSB', ...over });
  },
  /** Facts that read as the same matter as hotline(), in other words. */
  sameFactsAgain: '11月20日在政务大厅办社保转移时，窗口要求去村里开具居住证明，清单写明该证明已经免提交。',
  otherFacts: '办理营业执照变更时被要求提供房屋产权证明复印件，并要求加盖村委会公章。',
};

export interface ChatDraft {
  ground: number;
  agency: string;
  facts: string;
  request: string;
  name: string;
  phone: string;
  principal?: string;
}

export const ChatMother = {
  draft(over: Partial<ChatDraft> = {}): ChatDraft {
    return {
      ground: 1,
      agency: '人社局',
      facts: '11月20日在政务服务大厅办理社保转移，窗口要求到村里开具居住证明。',
      request: '希望不再要求提供居住证明，尽快办理。',
      name: '张小三',
      phone: '13812345678',
      ...over,
    };
  },
};
