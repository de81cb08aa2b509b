import ExcelJS from 'exceljs';
import type { ConsoleClient } from './console-mother';

/** A workbook of rows (the first row is the header). */
export async function workbook(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('通讯录');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** POSTs a file as multipart/form-data with the console client's cookies. */
export async function upload(c: ConsoleClient, base: string, path: string, fields: Record<string, string>, file: { name: string; data: Buffer } | null): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([new Uint8Array(file.data)]), file.name);
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: cookie ? { cookie } : {}, body: form });
}

export const HEADER = ['单位编码', '单位名称', '企业微信账号', '姓名', '角色', 'AB角', '手机', '培训日期'];


/** A good file: one new unit with its three members, and a change to an existing member. */
export const goodRows = (): unknown[][] => [
  HEADER,
  ['WJJ', '县卫健局', 'wjj.liaison', '卫健联络员', '联络员', '', '13900002222', '2026-11-10'],
  ['WJJ', '县卫健局', 'wjj.a', '卫健代办A', '代办员', 'A', '', ''],
  ['WJJ', '县卫健局', 'wjj.b', '卫健代办B', '代办员', 'B角', '', ''],
  ['RSJ', '县人社局', 'rsj.a', '人社代办A', '代办员', 'A', '', '2026-11-15'],
];

/** The rows of a workbook's sheets as text (header row first). */
export async function sheetRows(buf: ArrayBuffer | Buffer): Promise<string[][][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.isBuffer(buf) ? (buf as any) : (Buffer.from(buf) as any));
  return wb.worksheets.map((ws) => {
    const rows: string[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((c) => String(c ?? ''))));
    return rows;
  });
}
