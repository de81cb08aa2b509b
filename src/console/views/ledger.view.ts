import { Unit, VerificationLedgerEntry, VerificationRequest } from '../../../entities';
import { maskIdNumber, maskName } from '../../verification/mask';
import { RESULT_LABEL } from '../../verification/messages';
import { isOverdue } from '../../verification/clocks';
import { esc } from '../layout';
import { T } from '../messages';
import { TL } from '../ledger.messages';
import { shortAt } from './format';
import { ListFilter, filterForm, filterQuery, select } from './verifications.view';

export interface LedgerView {
  filter: ListFilter & { kind?: string };
  units: Unit[];
  unitOptions: Unit[];
  requests: VerificationRequest[];
  entries: VerificationLedgerEntry[];
  numberOf: (requestId: number) => string;
  /** How many rows the page shows at most (the export has them all). */
  shown: number;
  tz: string;
  now: Date;
  error: string | null;
}

function table(cols: string[], rows: string[][]): string {
  return `<div class="table-wrap"><table class="stack"><thead><tr>${cols.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((cells) => `<tr>${cells.map((c, i) => `<td data-label="${esc(cols[i])}">${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** The two registers of SPEC 1 (requests; Art. 8-9 entries), applicants masked as in the API's export. */
export function renderLedger(l: LedgerView): string {
  const f = l.filter;
  const v = T.v;
  const name = (c: string) => l.units.find((u) => u.code === c)?.name ?? c;
  const at = (d: Date | null) => esc(shortAt(l.tz, d));
  const kind = select('kind', TL.kind, f.kind, Object.entries(TL.kinds));
  const form = filterForm('/console/verifications/ledger', f, l.unitOptions, kind);
  const links = `<p class="links"><a href="/console/verifications${esc(filterQuery({ ...f, kind: undefined }))}">${esc(TL.listLink)}</a> · <a href="/console/verifications/export${esc(filterQuery(f))}" download>${esc(TL.export)}</a></p><p class="note">${esc(TL.exportNote)}</p>`;
  if (l.error) return `<h1>${esc(TL.title)}</h1>${form}<p class="error" role="alert">${esc(l.error)}</p>`;
  const reqs = l.requests.slice(0, l.shown);
  const ents = l.entries.slice(0, l.shown);
  const reqTable = reqs.length
    ? table(
        [v.number, v.requester, v.issuer, v.certificate, TL.applicant, TL.idNumber, v.startedAt, v.dueAt, v.status, TL.result, TL.overdue],
        reqs.map((r) => {
          const late = isOverdue(r, l.now);
          return [
            `<a href="/console/verifications/${r.id}">${esc(r.number)}</a>`,
            esc(name(r.requesterUnit)),
            esc(name(r.issuerUnit)),
            esc(r.certificate),
            esc(maskName(r.applicantName)),
            esc(maskIdNumber(r.applicantIdNumber)),
            at(r.startedAt),
            at(r.dueAt),
            esc(T.status[r.status] ?? r.status),
            esc(r.result ? RESULT_LABEL[r.result] : ''),
            esc(late ? TL.yes : TL.no),
          ];
        }),
      )
    : `<p class="muted">${esc(TL.empty)}</p>`;
  const entTable = ents.length
    ? table(
        [v.number, TL.unit, TL.kind, TL.occurredAt, TL.material, TL.purpose, TL.outcome, TL.applicationMaterial, TL.recordedBy],
        ents.map((e) => [
          `<a href="/console/verifications/${e.requestId}">${esc(l.numberOf(e.requestId))}</a>`,
          esc(name(e.unitCode)),
          esc(TL.kinds[e.kind] ?? e.kind),
          at(e.occurredAt),
          esc(e.material),
          esc(e.purpose ?? ''),
          esc(e.outcome ?? ''),
          esc(e.applicationMaterial ? TL.yes : TL.no),
          esc(e.recordedBy),
        ]),
      )
    : `<p class="muted">${esc(TL.empty)}</p>`;
  const more = l.requests.length > l.shown || l.entries.length > l.shown ? `<p class="note">${esc(TL.more(l.shown))}</p>` : '';
  return `<h1>${esc(TL.title)}</h1><p class="muted">${esc(TL.intro)}</p>${form}${links}<p class="muted" role="status">${esc(TL.count(l.requests.length, l.entries.length))}</p>${more}<section class="card wide" aria-labelledby="h-reg"><h2 id="h-reg">${esc(TL.requests)}</h2>${reqTable}</section><section class="card wide" aria-labelledby="h-ent"><h2 id="h-ent">${esc(TL.entries)}</h2>${entTable}</section><p class="note">${esc(TL.viewLogged)}</p>`;
}
