/**
 * What the issuing unit sees when the office orders completion by a time (责成限时办结,
 * SPEC 1 Art. 11): a notice with the new time, linked to the request's detail page.
 */
import { CARD } from '../src/escalations/messages';
import { clip } from './verification.card';
import { shortTime } from '../src/calendar/format';

export interface OfficeOrderView {
  number: string;
  issuerUnitName: string;
  requesterUnitName: string;
  serviceItem: string;
  completeBy: Date;
  detailUrl: string;
  tz: string;
}

export function officeOrderNoticeCard(v: OfficeOrderView, _now: Date): Record<string, unknown> {
  return {
    card_type: 'text_notice',
    source: { desc: CARD.source, desc_color: 2 },
    main_title: { title: clip(CARD.orderNoticeTitle(v.requesterUnitName, v.serviceItem), 36), desc: clip(CARD.orderNoticeDesc(shortTime(v.tz, v.completeBy).slice(5), v.number), 44) },
    emphasis_content: { title: clip(shortTime(v.tz, v.completeBy).slice(5), 14), desc: CARD.orderNoticeEmphasis },
    horizontal_content_list: [
      { keyname: CARD.issuer, value: clip(v.issuerUnitName, 30) },
      { keyname: CARD.requester, value: clip(v.requesterUnitName, 30) },
      { keyname: CARD.orderedBy, value: shortTime(v.tz, v.completeBy) },
    ],
    card_action: { type: 1, url: v.detailUrl },
  };
}
