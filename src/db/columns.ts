import { TableColumnOptions, TableIndexOptions, Table, QueryRunner } from 'typeorm';

/**
 * Column builders for hand-written migrations that run on MySQL/MariaDB/TiDB and SQLite.
 * Ids are `integer` (SQLite only auto-increments INTEGER PRIMARY KEY); instants are
 * `datetime(3)` in UTC; JSON is stored as text so both dialects read it the same way.
 */
export const col = {
  id: (name = 'id'): TableColumnOptions => ({ name, type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
  str: (name: string, length: number, o: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: false, ...o }),
  text: (name: string, o: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'text', isNullable: false, ...o }),
  int: (name: string, o: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'integer', isNullable: false, ...o }),
  bool: (name: string, o: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'boolean', isNullable: false, default: false, ...o }),
  at: (name: string, o: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: false, ...o }),
};

export async function createTable(qr: QueryRunner, name: string, columns: TableColumnOptions[], indices: TableIndexOptions[] = []): Promise<void> {
  await qr.createTable(new Table({ name, columns, indices }), true);
}
