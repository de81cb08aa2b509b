import type ExcelJS from 'exceljs';

/**
 * A new exceljs workbook. exceljs is loaded on first use, not at start: it costs ~27 MB of
 * resident memory and only rare routes (exports, imports) need it, while every instance
 * answers callbacks.
 */
export function newWorkbook(): ExcelJS.Workbook {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const excel = require('exceljs') as typeof ExcelJS;
  return new excel.Workbook();
}
