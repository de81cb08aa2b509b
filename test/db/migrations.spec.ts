import { expect } from 'chai';
import { testDataSource } from '../helpers/db';

describe('migrations', () => {
  it('create exactly the schema the entities describe', async () => {
    const ds = await testDataSource();
    const sql = await ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).to.deep.equal([]);
  });

  it('record every migration as applied', async () => {
    const ds = await testDataSource();
    expect(await ds.showMigrations()).to.equal(false);
  });

  it('roll back and re-apply cleanly (each migration has a working down)', async () => {
    const ds = await testDataSource();
    const n = ds.migrations.length;
    for (let i = 0; i < n; i++) await ds.undoLastMigration({ transaction: 'each' });
    const left: Array<{ c: number }> = await ds.query('SELECT COUNT(*) AS c FROM migrations');
    expect(Number(left[0].c)).to.equal(0);
    await ds.runMigrations({ transaction: 'each' });
    expect(await ds.showMigrations()).to.equal(false);
  });
});
