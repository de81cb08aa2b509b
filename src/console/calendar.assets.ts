import { COLORS } from './assets';

const c = COLORS;

/** Style of the calendar's month grids and the supervision tables (appended to console.css). */
export const CALENDAR_CSS = `
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.card.warn{border-color:${c.warn};background:#fff8f0;margin-bottom:1rem}
.card.warn h2{color:${c.warn}}
.card.warn p{margin:.25rem 0}
.months{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,16rem),1fr));gap:1rem;margin-top:1rem}
table.month{table-layout:fixed;width:100%}
table.month caption{font-weight:700;text-align:left;padding:.25rem 0}
table.month th,table.month td{text-align:center;padding:.15rem 0;border:none;font-size:.9rem}
table.month td{position:relative;height:2.4rem;border-radius:4px}
table.month td .n{display:block}
table.month td .m{display:block;font-size:.7rem;font-weight:700;line-height:1}
.k-weekend{color:${c.muted}}
.k-holiday{background:#fde7e9;color:${c.error}}
.k-makeup{background:#dafbe1;color:#116329}
.k-override{outline:2px dashed ${c.link};outline-offset:-2px;color:${c.link};font-weight:700}
.k-holiday.prov{background:#fff1e5;color:${c.warn}}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;padding:0;margin:.75rem 0 0;font-size:.9rem}
ul.legend li{display:flex;align-items:center;gap:.35rem}
.swatch{display:inline-flex;align-items:center;justify-content:center;width:1.6rem;height:1.6rem;border-radius:4px;border:1px solid #d0d7de;font-size:.75rem;font-weight:700}
form.filters .full{width:100%;margin:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.stackcards>.card{margin-bottom:1rem}
dl.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(8.5rem,1fr));gap:.75rem;margin:0}
dl.tiles div{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;background:${c.panel}}
dl.tiles dt{font-size:.85rem;color:${c.muted}}
dl.tiles dd{margin:0;font-size:1.25rem;font-weight:700;font-variant-numeric:tabular-nums}
@media (max-width:600px){
  table.stack th[scope=row]{display:block;border:none;padding:.2rem 0}
  table.stack td.num{text-align:left}
}
`;
