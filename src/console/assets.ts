/**
 * The console's stylesheet and its one script island, served from /console/static/ (the
 * Content-Security-Policy allows no inline script or style). Colours are chosen for WCAG AA
 * contrast on white; the browser tests compute it.
 */
export const COLORS = { text: '#1f2328', muted: '#57606a', link: '#0b57d0', bg: '#ffffff', panel: '#f6f8fa', error: '#b3261e', warn: '#8a4b00', ok: '#1a7f37', buttonText: '#ffffff', focus: '#e8710a' };

const c = COLORS;

export const CONSOLE_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:${c.text};background:${c.bg};line-height:1.5;font-size:16px}
a{color:${c.link}}
:focus-visible{outline:3px solid ${c.focus};outline-offset:2px}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.75rem 1.25rem;border-bottom:1px solid #d0d7de;background:${c.panel}}
header .brand{font-weight:700;color:${c.text};text-decoration:none}
header nav{display:flex;gap:1rem;flex-wrap:wrap}
header nav a{text-decoration:none;padding:.25rem .1rem}
header nav a[aria-current=page]{font-weight:700;border-bottom:3px solid ${c.link}}
header .who{margin-left:auto;display:flex;gap:.75rem;align-items:center;color:${c.muted};font-size:.9rem}
header .who form{margin:0}
main{padding:1rem 1.25rem;max-width:80rem;margin:0 auto}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
h2{font-size:1.1rem;margin:0 0 .75rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,22rem),1fr));gap:1rem}
.grid.two{grid-template-columns:repeat(auto-fit,minmax(min(100%,28rem),1fr))}
.act h3{margin:0;font-size:1rem}
.card{border:1px solid #d0d7de;border-radius:8px;padding:1rem;background:${c.bg};min-width:0}
.card.wide{grid-column:1/-1}
.narrow{max-width:32rem;margin:2rem auto}
.muted,.note{color:${c.muted};font-size:.9rem}
.error{color:${c.error};font-weight:600}
.ok{color:${c.ok};font-weight:600}
.due{color:${c.error};font-weight:700}
.soon{color:${c.warn};font-weight:700}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}
th{white-space:nowrap;font-weight:600}
td.pre{white-space:pre-wrap}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dl.fields dt{font-weight:600}
dl.fields dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
ul.plain{list-style:none;padding:0;margin:0}
ul.plain li{padding:.35rem 0;border-bottom:1px solid #eaeef2}
ul.actions{list-style:none;padding:0;display:flex;flex-direction:column;gap:.75rem}
.button,button{display:inline-block;font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid ${c.link};background:${c.link};color:${c.buttonText};text-decoration:none;cursor:pointer;min-height:2.75rem}
.button.secondary,button.secondary{background:${c.bg};color:${c.link}}
button.link{background:none;border:none;color:${c.link};padding:0;min-height:0;text-decoration:underline}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin-bottom:1rem}
label{display:flex;flex-direction:column;gap:.2rem;font-size:.9rem;font-weight:600}
label{max-width:100%;min-width:0}
label.check{flex-direction:row;align-items:center;gap:.5rem;font-weight:400}
input,select,textarea{max-width:100%;font:inherit;padding:.4rem .5rem;border:1px solid #6e7781;border-radius:6px;color:${c.text};background:${c.bg};min-height:2.5rem}
textarea{min-height:4rem;width:100%}
.act{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem}
.act form{border:1px solid #d0d7de;border-radius:8px;padding:.75rem;display:flex;flex-direction:column;gap:.5rem}
.chart{width:100%;height:320px}
.phones{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,20rem),1fr));gap:1rem;align-items:start}
.phone{border:2px solid #6e7781;border-radius:18px;padding:.75rem;background:${c.panel};min-width:0}
.phone h2{font-size:1rem;margin:0}
.phone form.say{display:flex;flex-wrap:wrap;gap:.4rem;align-items:flex-end;margin:.5rem 0}
.phone form.say label{width:100%}
.phone form.say input{flex:1;min-width:0}
ol.chat{list-style:none;padding:0;margin:0;display:flex;flex-direction:column;gap:.5rem;max-height:32rem;overflow-y:auto}
.bubble{background:${c.bg};border:1px solid #d0d7de;border-radius:10px;padding:.4rem .6rem;white-space:pre-wrap;overflow-wrap:anywhere}
.bubble.mine{background:#dafbe1;align-self:flex-end}
.wcard{background:${c.bg};border:1px solid #d0d7de;border-radius:10px;padding:.6rem;overflow-wrap:anywhere}
.wcard h4{margin:.2rem 0;font-size:1rem}
.wcard p{margin:.2rem 0}
.wcard .pre{white-space:pre-wrap}
.wcard .greyed{color:${c.muted};font-weight:600}
.buttons{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.4rem}
.buttons form{margin:0}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;background:#fff1e5;color:${c.warn};font-size:.85rem;font-weight:600}
@media (max-width:600px){
  header{padding:.5rem .75rem}
  header .who{margin-left:0;width:100%}
  main{padding:.75rem}
  .grid{grid-template-columns:1fr}
  dl.fields{grid-template-columns:1fr}
  dl.fields dd{margin-bottom:.4rem}
  table.stack thead{display:none}
  table.stack tr{display:block;border-bottom:1px solid #d0d7de;padding:.4rem 0}
  table.stack td{display:block;border:none;padding:.1rem 0}
  table.stack td[data-label]::before{content:attr(data-label) "：";font-weight:600}
}
`;

/**
 * Live countdowns in office time and the charts. The server gives each countdown the
 * remaining office minutes at rendering and today's office windows; the script only
 * subtracts the office time elapsed since (client clock skew does not matter).
 */
export const CONSOLE_JS = `(function () {
  'use strict';
  function officeMs(w, a, b) {
    var t = 0;
    for (var i = 0; i + 1 < w.length; i += 2) {
      var f = Math.max(a, w[i]), to = Math.min(b, w[i + 1]);
      if (to > f) t += to - f;
    }
    return t;
  }
  var clock = document.getElementById('office-clock');
  if (clock) {
    var w = JSON.parse(clock.getAttribute('data-windows') || '[]');
    var rendered = Number(clock.getAttribute('data-rendered'));
    var t0 = Date.now();
    var L = { due: clock.getAttribute('data-label-due'), h: clock.getAttribute('data-label-h'), m: clock.getAttribute('data-label-m') };
    var tick = function () {
      var elapsed = officeMs(w, rendered, rendered + (Date.now() - t0)) / 60000;
      var els = document.querySelectorAll('[data-remaining]');
      for (var i = 0; i < els.length; i++) {
        var left = Number(els[i].getAttribute('data-remaining')) - elapsed;
        var h = Math.floor(left / 60), m = Math.floor(left % 60);
        els[i].textContent = left <= 0 ? L.due : (h ? h + ' ' + L.h + ' ' : '') + m + ' ' + L.m;
        els[i].classList.toggle('due', left <= 0);
        els[i].classList.toggle('soon', left > 0 && left <= 30);
      }
    };
    tick();
    setInterval(tick, 15000);
  }
  var charts = document.querySelectorAll('[data-chart]');
  if (charts.length && window.echarts) {
    var made = [];
    for (var j = 0; j < charts.length; j++) {
      var el = charts[j];
      var data = JSON.parse(document.getElementById(el.getAttribute('data-chart')).textContent);
      var chart = window.echarts.init(el, null, { renderer: 'svg' });
      chart.setOption(data);
      made.push(chart);
    }
    window.addEventListener('resize', function () { made.forEach(function (c) { c.resize(); }); });
  }
})();
`;

/**
 * The sandbox phones page: asks the server every 2 s whether anything changed and reloads
 * when it did, unless someone is typing.
 */
export const PHONES_JS = `(function () {
  'use strict';
  var root = document.getElementById('phones');
  if (!root || !window.fetch) return;
  var seen = root.getAttribute('data-version');
  var busy = function () {
    var a = document.activeElement;
    return a && a.tagName === 'INPUT' && a.value;
  };
  setInterval(function () {
    fetch(root.getAttribute('data-poll'), { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (j) { if (j.version !== seen && !busy()) location.reload(); })
      .catch(function () {});
  }, 2000);
})();
`;
