/** The office's extension card (Art. 10): pure, deterministic, the reason masked. */
import { expect } from 'chai';
import { complaintExtensionCard, complaintExtensionTaskId } from '../../cards/complaint-extension.card';
import { complaintButtonKey } from '../../cards/complaint.card';

describe('complaints: the extension card for the office', () => {
  const view = {
    complaintId: 7,
    number: 'TS20261126-0001',
    agencyName: '县人力资源和社会保障局',
    days: 3,
    reason: '需调取档案，经办人电话13812345678',
    dueAt: new Date('2026-12-03T09:30:00Z'),
    extensionId: 2,
    requestedAt: new Date('2026-11-30T02:00:00Z'),
  };

  it('shows the days, the agency and the deadline it would move, with 同意 / 不同意', () => {
    const card = complaintExtensionCard(view, { tz: 'Asia/Shanghai' }) as any;
    expect(card.task_id).to.equal(complaintExtensionTaskId(view));
    expect(card.main_title.title).to.equal('延期申请 TS20261126-0001');
    expect(card.emphasis_content.title).to.equal('3个工作日');
    expect(card.horizontal_content_list).to.deep.include({ keyname: '现办理期限', value: '12月3日 17:30' });
    expect(card.button_list).to.deep.equal([
      { text: '同意', style: 1, key: complaintButtonKey('extgrant', 7) },
      { text: '不同意', style: 2, key: complaintButtonKey('extrefuse', 7) },
    ]);
    expect(card.sub_title_text).to.contain('需调取档案').and.not.contain('13812345678');
    expect(complaintExtensionCard(view, { tz: 'Asia/Shanghai' })).to.deep.equal(card);
  });
});
