import type { CardState, DeliveredMessage, KfSentMessage } from '../../sandbox';
import { esc } from '../layout';
import { T } from '../messages';

export interface PhonesView {
  csrf: string;
  version: string;
  people: Array<{ userid: string; name: string; unit: string; messages: DeliveredMessage[]; cards: CardState[] }>;
  group: { chatid: string; messages: any[] } | null;
  citizen: { externalUserId: string; kfAccount: string; said: any[]; received: KfSentMessage[] };
  flash: string | null;
  /** What the last action did, e.g. the request the platform opened. */
  done: string | null;
  /** The approval platform's panel (phones-platform.ts), rendered. */
  platform: string;
}

const P = T.phones;
const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${esc(value)}">`;

/** A text or markdown message as a bubble. */
function bubble(text: string, mine = false): string {
  return `<li class="bubble${mine ? ' mine' : ''}">${esc(text)}</li>`;
}

function textOf(msgtype: string, payload: any): string {
  if (msgtype === 'text' || msgtype === 'markdown') return String(payload?.content ?? '');
  if (msgtype === 'textcard' || msgtype === 'news') return String(payload?.title ?? payload?.articles?.[0]?.title ?? msgtype);
  return `[${msgtype}]`;
}

/** A template card as the member sees it now, with its buttons posting a real click. */
function card(v: PhonesView, userid: string, c: CardState): string {
  const k = c.card ?? {};
  const lines: string[] = [];
  if (k.source?.desc) lines.push(`<p class="muted">${esc(k.source.desc)}</p>`);
  if (k.main_title?.title) lines.push(`<h4>${esc(k.main_title.title)}</h4>`);
  if (k.main_title?.desc) lines.push(`<p>${esc(k.main_title.desc)}</p>`);
  if (k.emphasis_content?.title) lines.push(`<p class="emph">${esc(k.emphasis_content.title)} ${esc(k.emphasis_content.desc ?? '')}</p>`);
  if (k.sub_title_text) lines.push(`<p class="pre">${esc(k.sub_title_text)}</p>`);
  if (Array.isArray(k.horizontal_content_list) && k.horizontal_content_list.length) {
    lines.push(`<dl class="fields">${k.horizontal_content_list.map((h: any) => `<dt>${esc(h.keyname)}</dt><dd>${h.type === 1 && h.url ? `<a href="${esc(h.url)}">${esc(h.value ?? h.url)}</a>` : esc(h.value ?? '')}</dd>`).join('')}</dl>`);
  }
  if (Array.isArray(k.jump_list)) lines.push(k.jump_list.filter((j: any) => j.url).map((j: any) => `<p><a href="${esc(j.url)}">${esc(j.title)}</a></p>`).join(''));
  if (k.card_action?.type === 1 && k.card_action.url) lines.push(`<p><a href="${esc(k.card_action.url)}">${esc(P.open)}</a></p>`);
  if (c.replace_name !== undefined) lines.push(`<p class="greyed">${esc(c.replace_name)}</p>`);
  else {
    const buttons: Array<{ key: string; text: string }> = [];
    for (const b of Array.isArray(k.button_list) ? k.button_list : []) if ((b.type === undefined || Number(b.type) === 0) && b.key) buttons.push({ key: b.key, text: b.text });
    if (k.submit_button?.key) buttons.push({ key: k.submit_button.key, text: k.submit_button.text ?? P.submit });
    if (buttons.length) {
      lines.push(
        `<div class="buttons">${buttons
          .map((b) => `<form method="post" action="/sandbox-phones/click">${hidden('csrf', v.csrf)}${hidden('userid', userid)}${hidden('taskId', c.taskId)}${hidden('key', b.key)}<button type="submit">${esc(b.text)}</button></form>`)
          .join('')}</div>`,
      );
    }
  }
  return `<li class="wcard" data-task="${esc(c.taskId)}">${lines.join('')}</li>`;
}

function person(v: PhonesView, p: PhonesView['people'][number]): string {
  const cards = new Map(p.cards.map((c) => [c.taskId, c]));
  const seen = new Set<string>();
  const items: string[] = [];
  // Newest first; a card shows once, in its current state, where it was first sent.
  for (const m of [...p.messages].reverse()) {
    if (m.msgtype === 'template_card') {
      const id = String(m.payload?.task_id ?? '');
      if (id && seen.has(id)) continue;
      seen.add(id);
      // A card with buttons shows in its current state; a notice card (no task) as it was sent.
      const c = (id && cards.get(id)) || ({ taskId: id, card: m.payload } as CardState);
      items.push(card(v, p.userid, c));
    } else items.push(bubble(textOf(m.msgtype, m.payload)));
  }
  const input = `phone-in-${p.userid}`;
  return `<section class="phone" id="phone-${esc(p.userid)}" aria-labelledby="h-${esc(p.userid)}"><h2 id="h-${esc(p.userid)}">${esc(p.name)} <span class="muted">${esc(p.userid)}</span></h2><p class="muted">${esc(p.unit)}</p>
<form method="post" action="/sandbox-phones/text" class="say">${hidden('csrf', v.csrf)}${hidden('userid', p.userid)}<label for="${esc(input)}">${esc(P.sayAs(p.name))}</label><input id="${esc(input)}" name="content" maxlength="500" autocomplete="off"><button type="submit">${esc(P.send)}</button></form>
${items.length ? `<ol class="chat">${items.join('')}</ol>` : `<p class="muted">${esc(P.empty)}</p>`}</section>`;
}

function group(v: PhonesView): string {
  if (!v.group) return `<section class="phone wide"><h2>${esc(P.group)}</h2><p class="muted">${esc(P.noGroup)}</p></section>`;
  const msgs = [...v.group.messages].reverse().map((m) => bubble(textOf(m.msgtype, m.payload)));
  return `<section class="phone" id="phone-group" aria-labelledby="h-group"><h2 id="h-group">${esc(P.group)} <span class="muted">${esc(v.group.chatid)}</span></h2>${msgs.length ? `<ol class="chat">${msgs.join('')}</ol>` : `<p class="muted">${esc(P.empty)}</p>`}</section>`;
}

function citizen(v: PhonesView): string {
  const c = v.citizen;
  const items: Array<{ at: number; html: string }> = [];
  for (const s of c.said) items.push({ at: Number(s.send_time) * 1000, html: bubble(String(s.text?.content ?? `[${s.msgtype}]`), true) });
  for (const m of c.received) {
    if (m.msgtype === 'msgmenu') {
      const menu = m.payload ?? {};
      const options = (Array.isArray(menu.list) ? menu.list : []).filter((i: any) => i.type === 'click' && i.click);
      items.push({
        at: m.at,
        html: `<li class="bubble">${esc(menu.head_content ?? '')}<div class="buttons">${options
          .map((i: any) => `<form method="post" action="/sandbox-phones/kf">${hidden('csrf', v.csrf)}${hidden('content', i.click.content)}${hidden('menuId', i.click.id ?? '')}<button type="submit" class="secondary">${esc(i.click.content)}</button></form>`)
          .join('')}</div>${menu.tail_content ? `<p>${esc(menu.tail_content)}</p>` : ''}</li>`,
      });
    } else items.push({ at: m.at, html: bubble(textOf(m.msgtype, m.payload)) });
  }
  // Stable: what the citizen said comes before the answer of the same second.
  const sorted = items.map((x, i) => ({ ...x, i })).sort((a, b) => b.at - a.at || b.i - a.i);
  return `<section class="phone" id="phone-citizen" aria-labelledby="h-citizen"><h2 id="h-citizen">${esc(P.citizen)} <span class="muted">${esc(c.externalUserId)}</span></h2><p class="muted">${esc(P.kfAccount(c.kfAccount))}</p>
<form method="post" action="/sandbox-phones/kf" class="say">${hidden('csrf', v.csrf)}<label for="phone-in-citizen">${esc(P.citizenSays)}</label><input id="phone-in-citizen" name="content" maxlength="500" autocomplete="off"><button type="submit">${esc(P.send)}</button></form>
${sorted.length ? `<ol class="chat">${sorted.map((x) => x.html).join('')}</ol>` : `<p class="muted">${esc(P.citizenHint)}</p>`}</section>`;
}

export function renderPhones(v: PhonesView): string {
  const flash = (v.flash ? `<p class="error" role="alert">${esc(v.flash)}</p>` : '') + (v.done ? `<p class="ok" role="status">${esc(v.done)}</p>` : '');
  return `<h1>${esc(P.title)}</h1><p>${esc(P.intro)} <a href="/console/">${esc(P.console)}</a></p>${flash}<div id="phones" class="phones" data-version="${esc(v.version)}" data-poll="/sandbox-phones/version">${v.platform}${group(v)}${citizen(v)}${v.people.map((p) => person(v, p)).join('')}</div>`;
}
