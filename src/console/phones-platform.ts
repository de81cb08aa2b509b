import type { DataSource } from 'typeorm';
import { Unit } from '../../entities';
import { createApiKey } from '../http/auth';
import { idCheckChar } from '../verification/id-number';
import { esc } from './layout';

/** Texts of the approval platform's panel on the sandbox's phones page. */
export const PP = {
  title: '审批系统（需求单位发起协查）',
  intro: '在这里扮演县审批平台：它通过 REST API（POST /api/v1/verifications）替需求单位发起协查，核验单位的联络员随即收到卡片。',
  requester: '需求单位',
  issuer: '核验单位',
  serviceItem: '办理事项',
  certificate: '证明材料',
  category: '类别',
  categories: { digital: '数据可查（30分钟）', paper: '需查纸质档案（1个工作日）', historical: '历史原因资料不全（2个工作日）' } as Record<string, string>,
  name: '申请人姓名',
  idNumber: '申请人身份证号码',
  question: '核验内容',
  submit: '发起协查',
  created: (n: string) => `已发起协查 ${n}，请看核验单位联络员的手机。`,
  refused: (status: number, message: string) => `审批系统发起失败（${status}）：${message}`,
  hint: '提示：县公安局的户籍证明已接入演示户籍库：表单里预填的张三在库中，约一秒内由系统自动答复；改成库中没有的人（或别的证明材料），就转由联络员人工核验。',
};

/** The demo applicant: a person of the demo household register, so 户籍证明 is answered by data. */
const DEMO_FIRST17 = '37032319900307123';
export const DEMO_APPLICANT = { name: '张三', idNumber: `${DEMO_FIRST17}${idCheckChar(DEMO_FIRST17)}` };

/**
 * The approval platform of the sandbox: opens a request through the real REST API with a
 * unit key of the requesting unit (made once per unit and kept in memory for this process).
 */
export function platform(ds: DataSource, now: () => Date) {
  const keys = new Map<string, Promise<string>>();
  const keyOf = (unit: string) => {
    if (!keys.has(unit)) keys.set(unit, createApiKey(ds, `sandbox phones ${unit}`, unit, now()));
    return keys.get(unit)!;
  };
  return {
    async units(): Promise<Array<{ code: string; name: string }>> {
      return (await ds.getRepository(Unit).find({ order: { code: 'ASC' } })).filter((u) => !u.isOffice).map((u) => ({ code: u.code, name: u.name }));
    },
    /** Posts the form to the API as the requesting unit's system; returns the flash text. */
    async open(origin: string, form: URLSearchParams): Promise<{ ok: boolean; text: string }> {
      const requesterUnit = (form.get('requesterUnit') ?? '').trim();
      const units = await this.units();
      if (!units.some((u) => u.code === requesterUnit)) return { ok: false, text: PP.refused(422, `未知的需求单位 ${requesterUnit}`) };
      const body = {
        requesterUnit,
        issuerUnit: (form.get('issuerUnit') ?? '').trim(),
        serviceItem: (form.get('serviceItem') ?? '').trim(),
        certificate: (form.get('certificate') ?? '').trim(),
        category: (form.get('category') ?? '').trim(),
        applicant: { name: (form.get('name') ?? '').trim(), idNumber: (form.get('idNumber') ?? '').trim() },
        question: (form.get('question') ?? '').trim(),
      };
      const res = await fetch(new URL('/api/v1/verifications', origin), {
        method: 'POST',
        headers: { authorization: `Bearer ${await keyOf(requesterUnit)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json().catch(() => ({}))) as { number?: string; message?: string; error?: string };
      if (res.status === 201 && json.number) return { ok: true, text: PP.created(json.number) };
      return { ok: false, text: PP.refused(res.status, String(json.message ?? json.error ?? '')) };
    },
  };
}

/** The panel: a form as the platform would fill it, with demo values. */
export function renderPlatform(csrf: string, units: Array<{ code: string; name: string }>): string {
  const opts = (sel: string) => units.map((u) => `<option value="${esc(u.code)}"${u.code === sel ? ' selected' : ''}>${esc(u.name)}</option>`).join('');
  const field = (name: string, label: string, value: string, max = 200) => `<label>${esc(label)}<input name="${name}" value="${esc(value)}" maxlength="${max}" required></label>`;
  return `<section class="phone" id="phone-platform" aria-labelledby="h-platform"><h2 id="h-platform">${esc(PP.title)}</h2><p class="muted">${esc(PP.intro)}</p>
<form method="post" action="/sandbox-phones/request"><input type="hidden" name="csrf" value="${esc(csrf)}">
<label>${esc(PP.requester)}<select name="requesterUnit">${opts('RSJ')}</select></label>
<label>${esc(PP.issuer)}<select name="issuerUnit">${opts('GAJ')}</select></label>
${field('serviceItem', PP.serviceItem, '失业保险金申领')}
${field('certificate', PP.certificate, '户籍证明')}
<label>${esc(PP.category)}<select name="category">${Object.entries(PP.categories).map(([k, v]) => `<option value="${k}">${esc(v)}</option>`).join('')}</select></label>
${field('name', PP.name, DEMO_APPLICANT.name, 64)}
${field('idNumber', PP.idNumber, DEMO_APPLICANT.idNumber, 18)}
${field('question', PP.question, '申请人户籍是否登记在本县？', 500)}
<button type="submit">${esc(PP.submit)}</button></form><p class="note">${esc(PP.hint)}</p></section>`;
}
