import { expect } from 'chai';
import fs from 'fs';
import os from 'os';
import path from 'path';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { testDataSource, clearTables, sharedTestUrl } from '../helpers/db';
import { importDirectory } from '../../src/directory/import';
import { parseCsv } from '../../src/directory/csv';
import { AppError } from '../../src/errors';
import { Staff, Unit } from '../../entities';
import { DirectoryMother } from '../helpers/mothers/directory';
import { run } from '../../src/cli';

const NOW = new Date('2026-11-26T01:00:00Z');

function tmpFile(name: string, content: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-dir-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function importError(ds: DataSource, file: string): Promise<AppError> {
  try {
    await importDirectory(ds, file, NOW);
  } catch (e) {
    expect(e).to.be.instanceOf(AppError);
    expect((e as AppError).code).to.equal('directory_import_invalid');
    return e as AppError;
  }
  throw new Error('import should have failed');
}

async function dump(ds: DataSource) {
  const units = await ds.getRepository(Unit).find({ order: { code: 'ASC' } });
  const staff = await ds.getRepository(Staff).find({ order: { userid: 'ASC' } });
  return JSON.stringify({ units: units.map((u) => [u.code, u.name, !!u.isOffice]), staff: staff.map((s) => [s.userid, s.unitCode, s.name, s.role, s.ab, s.mobile, !!s.away, s.awayUntil]) });
}

describe('directory import (npx nocert directory import FILE)', () => {
  let ds: DataSource;
  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => clearTables(ds));

  it('loads a .csv: units and staff, roles, A/B, away flags', async () => {
    const file = tmpFile('dir.csv', DirectoryMother.csv(DirectoryMother.standard()));
    expect(await importDirectory(ds, file, NOW)).to.deep.equal({ units: 4, staff: 10 });
    const gaj = await ds.getRepository(Staff).findBy({ unitCode: 'GAJ' });
    expect(gaj.map((s) => [s.userid, s.role, s.ab]).sort()).to.deep.equal([
      ['gaj.a', 'deputy', 'A'],
      ['gaj.b', 'deputy', 'B'],
      ['gaj.liaison', 'liaison', null],
    ]);
    expect((await ds.getRepository(Unit).findOneByOrFail({ code: 'OFFICE' })).isOffice).to.equal(true);
    expect((await ds.getRepository(Staff).findOneByOrFail({ userid: 'rsj.liaison' })).mobile).to.equal('13800001111');
  });

  it('reads Chinese headers and words, quoted fields, and a unit-only row', async () => {
    const text = [
      '单位编码,单位名称,企业微信账号,姓名,角色,AB角,手机号,是否外出,外出至',
      'SFJ,"县司法局",sfj.li,李四,联络员,,,否,',
      'SFJ,县司法局,sfj.wang,"王""五""",代办员,A角,,是,2026-12-01',
      'SFJ,县司法局,sfj.zhao,赵六,代办员,b,,,',
      'TJJ,县统计局,,,,,,,',
    ].join('\n');
    const file = tmpFile('dir.csv', text);
    expect(await importDirectory(ds, file, NOW)).to.deep.equal({ units: 2, staff: 3 });
    const wang = await ds.getRepository(Staff).findOneByOrFail({ userid: 'sfj.wang' });
    expect(wang).to.deep.include({ name: '王"五"', role: 'deputy', ab: 'A', away: true, awayUntil: '2026-12-01' });
    expect((await ds.getRepository(Staff).findOneByOrFail({ userid: 'sfj.zhao' })).ab).to.equal('B');
    expect(await ds.getRepository(Unit).findOneBy({ code: 'TJJ' })).to.exist;
  });

  it('decodes a GB18030 (ANSI Excel) .csv', async () => {
    // "单位编码,单位名称,userid,name,role\r\nSFJ,司法局,s.li,李四,联络员" in GB18030.
    const hex =
      'b5a5cebbb1e0c2eb2cb5a5cebbc3fbb3c62c7573657269642c6e616d652c726f6c650d0a' + '53464a2cc4bec3fbbed62c732e6c692cc0eecbc42cc1aac2e7d4b1';
    const file = tmpFile('gbk.csv', Buffer.from(hex, 'hex'));
    expect(await importDirectory(ds, file, NOW)).to.deep.equal({ units: 1, staff: 1 });
    expect((await ds.getRepository(Staff).findOneByOrFail({ userid: 's.li' })).name).to.equal('李四');
    expect((await ds.getRepository(Staff).findOneByOrFail({ userid: 's.li' })).role).to.equal('liaison');
  });

  it('loads an .xlsx (numbers and dates in cells)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('通讯录');
    ws.addRow(['unit_code', 'unit_name', 'userid', 'name', 'role', 'ab', 'mobile', 'away', 'away_until']);
    ws.addRow(['GAJ', '县公安局', 'gaj.liaison', '公安联络员', 'liaison', '', 13800001111, '否', null]);
    ws.addRow(['GAJ', '县公安局', 'gaj.a', '公安代办A', 'deputy', 'A', null, true, new Date(Date.UTC(2026, 11, 3))]);
    ws.addRow(['GAJ', '县公安局', 'gaj.b', { richText: [{ text: '公安' }, { text: '代办B' }] }, 'deputy', 'B', null, null, null]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nocert-x-')), 'dir.xlsx');
    await wb.xlsx.writeFile(file);
    expect(await importDirectory(ds, file, NOW)).to.deep.equal({ units: 1, staff: 3 });
    expect((await ds.getRepository(Staff).findOneByOrFail({ userid: 'gaj.liaison' })).mobile).to.equal('13800001111');
    expect(await ds.getRepository(Staff).findOneByOrFail({ userid: 'gaj.a' })).to.deep.include({ away: true, awayUntil: '2026-12-03' });
    expect((await ds.getRepository(Staff).findOneByOrFail({ userid: 'gaj.b' })).name).to.equal('公安代办B');
  });

  it('a duplicate userid: every row error reported, nothing loaded (all or nothing)', async () => {
    await importDirectory(ds, tmpFile('a.csv', DirectoryMother.csv([DirectoryMother.standard()[0]])), NOW);
    const before = await dump(ds);
    const csv = [
      'unit_code,unit_name,userid,name,role,ab',
      'GAJ,县公安局,gaj.liaison,公安联络员,liaison,',
      'GAJ,县公安局,gaj.a,公安代办A,deputy,A',
      'SCJ,县市场局,GAJ.A,市场代办A,deputy,A',
    ].join('\n');
    const err = await importError(ds, tmpFile('dup.csv', csv));
    expect(err.details).to.deep.equal([{ row: 4, column: 'userid', message: '企业微信账号 GAJ.A 重复（第 3 行已出现）' }]);
    expect(await dump(ds)).to.equal(before);
  });

  it('reports every bad row with its number and column', async () => {
    const csv = [
      'unit_code,unit_name,userid,name,role,ab,mobile,away,away_until',
      'GAJ,县公安局,gaj.l,联络员,liaison,,,,',
      'GAJ,县公安局,gaj.x,,boss,C,12ab,maybe,2026-02-30',
      'GAJ,公安局,gaj.y,某人,deputy,A,,,',
      ',县某局,bad id!,某,deputy,,,,',
    ].join('\n');
    const err = await importError(ds, tmpFile('bad.csv', csv));
    const details = err.details as Array<{ row: number; column: string }>;
    expect(details.map((d) => [d.row, d.column])).to.deep.equal([
      [3, 'name'],
      [3, 'role'],
      [3, 'ab'],
      [3, 'mobile'],
      [3, 'away'],
      [3, 'away_until'],
      [4, 'unit_name'],
      [5, 'unit_code'],
      [5, 'userid'],
    ]);
    expect(await ds.getRepository(Unit).count()).to.equal(0);
    expect(await ds.getRepository(Staff).count()).to.equal(0);
  });

  it('refuses a file without the required columns, an empty file, an unknown type', async () => {
    expect((await importError(ds, tmpFile('x.csv', 'userid,name\nu1,某\n'))).details).to.deep.equal([
      { row: 1, column: 'unit_code', message: '缺少必需的列 单位编码' },
      { row: 1, column: 'unit_name', message: '缺少必需的列 单位名称' },
    ]);
    expect((await importError(ds, tmpFile('e.csv', 'unit_code,unit_name\n'))).details).to.deep.equal([{ row: 2, message: '文件中没有数据行' }]);
    expect((await importError(ds, tmpFile('d.txt', 'x'))).message).to.include('.txt');
  });

  it('a second import updates: a new name, a person moved to another unit', async () => {
    await importDirectory(ds, tmpFile('a.csv', DirectoryMother.csv(DirectoryMother.standard())), NOW);
    const csv = ['unit_code,unit_name,userid,name,role,ab', 'GAJ,县公安局（新）,rsj.b,调岗人员,deputy,B'].join('\n');
    expect(await importDirectory(ds, tmpFile('b.csv', csv), NOW)).to.deep.equal({ units: 1, staff: 1 });
    expect((await ds.getRepository(Unit).findOneByOrFail({ code: 'GAJ' })).name).to.equal('县公安局（新）');
    expect(await ds.getRepository(Staff).findOneByOrFail({ userid: 'rsj.b' })).to.deep.include({ unitCode: 'GAJ', name: '调岗人员' });
    expect(await ds.getRepository(Staff).count()).to.equal(10);
  });

  it('the CLI prints counts, or the row errors and exit code 1', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
    const env = { DATABASE_URL: sharedTestUrl(), LOG_LEVEL: 'silent' };
    const ok = tmpFile('ok.csv', DirectoryMother.csv(DirectoryMother.standard()));
    expect(await run(['directory', 'import', ok], env, io)).to.equal(0);
    expect(out).to.deep.equal(['已导入 4 个单位、10 名人员']);
    const bad = tmpFile('bad.csv', 'unit_code,unit_name,userid,name,role\nA,甲,u1,某,liaison\nA,甲,u1,某,deputy\n');
    expect(await run(['directory', 'import', bad], env, io)).to.equal(1);
    expect(err.join('\n')).to.include('directory_import_invalid').and.include('第 3 行').and.include('u1 重复');
  });

  it('parses RFC 4180 CSV', () => {
    expect(parseCsv('a,"b,c","d""e"\r\n"multi\nline",,x\n')).to.deep.equal([
      ['a', 'b,c', 'd"e'],
      ['multi\nline', '', 'x'],
    ]);
  });
});
