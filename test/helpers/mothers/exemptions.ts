import ExcelJS from 'exceljs';
import type { ExemptionMethod } from '../../../entities/ExemptionEntry';
import type { DeadlineCategory } from '../../../src/calendar';
import type { ApplicationInput } from '../../../src/exemptions/service';
import type { EntryData } from '../../../src/exemptions/rules';
import { DirectoryMother, UnitSpec } from './directory';

/** The directory for list tests: the standard units, the office with two members. */
export function exemptionUnits(): UnitSpec[] {
  const units = DirectoryMother.standard();
  const office = units.find((u) => u.isOffice)!;
  office.staff.push({ userid: 'office.chief', name: '王主任', role: 'member' });
  return units;
}

/** Object mother for the exemption list (SPEC 2). */
export const ExemptionMother = {
  /** A verification entry: 人社局 asks for the 户籍证明 that 公安局 issues. */
  entry(over: Partial<EntryData> = {}): EntryData {
    return {
      serviceItem: '失业保险金申领',
      certificate: '户籍证明',
      requesterUnit: 'RSJ',
      issuerUnit: 'GAJ',
      method: 'verification' as ExemptionMethod,
      legalBasis: '《失业保险条例》第十六条',
      defaultCategory: 'paper' as DeadlineCategory,
      ...over,
    };
  },

  addBody(over: Partial<ApplicationInput> = {}): ApplicationInput {
    const { requesterUnit: _r, ...entry } = ExemptionMother.entry();
    return { kind: 'add', reason: 'law_requires', causeDate: '2026-11-25', ...entry, ...over } as ApplicationInput;
  },

  changeBody(entryId: number, over: Partial<ApplicationInput> = {}): ApplicationInput {
    return { kind: 'change', reason: 'method_changed', entryId, causeDate: '2026-11-25', method: 'sharing', ...over } as ApplicationInput;
  },

  cancelBody(entryId: number, over: Partial<ApplicationInput> = {}): ApplicationInput {
    return { kind: 'cancel', reason: 'law_removes_item', entryId, causeDate: '2026-11-25', legalBasis: '《国务院关于取消一批行政许可事项的决定》', ...over } as ApplicationInput;
  },

  /** n distinct entries (service items numbered), for lists and the benchmark. */
  many(n: number, over: Partial<EntryData> = {}): EntryData[] {
    const items = ['失业保险金申领', '城乡居民养老保险参保登记', '个体工商户设立登记', '低保申请', '残疾人证办理', '建设工程规划许可', '出生医学证明补发', '子女入学登记'];
    const certs = ['户籍证明', '无犯罪记录证明', '婚姻状况证明', '收入证明', '居住证明', '亲属关系证明'];
    return Array.from({ length: n }, (_, i) =>
      ExemptionMother.entry({
        serviceItem: `${items[i % items.length]}（${Math.floor(i / items.length) + 1}）`,
        certificate: certs[i % certs.length],
        method: (['verification', 'sharing', 'commitment', 'other'] as ExemptionMethod[])[i % 4],
        ...over,
      }),
    );
  },

  /** A list workbook; `omit` drops columns (by header), `extraRows` adds raw rows. */
  async workbook(rows: Array<Record<string, string | number>>, opts: { omit?: string[]; headers?: string[]; titleRow?: string } = {}): Promise<Buffer> {
    const headers = (opts.headers ?? ['编号', '政务服务事项', '证明材料', '索要单位编码', '出具单位编码', '免提交方式', '设定依据', '默认核验类别']).filter((x) => !opts.omit?.includes(x));
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('清单');
    if (opts.titleRow) ws.addRow([opts.titleRow]);
    ws.addRow(headers);
    for (const r of rows) ws.addRow(headers.map((hd) => r[hd] ?? ''));
    return Buffer.from(await wb.xlsx.writeBuffer());
  },

  /** One workbook row in the import format from entry data. */
  row(e: EntryData, id?: number): Record<string, string | number> {
    const method = { sharing: '数据共享', commitment: '告知承诺', verification: '部门核验', other: '其他' }[e.method];
    const cat = { digital: '电子档案', paper: '纸质档案', historical: '历史档案' }[e.defaultCategory];
    return { ...(id ? { 编号: id } : {}), 政务服务事项: e.serviceItem, 证明材料: e.certificate, 索要单位编码: e.requesterUnit, 出具单位编码: e.issuerUnit, 免提交方式: method, 设定依据: e.legalBasis, 默认核验类别: cat };
  },
};
