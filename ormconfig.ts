import { createDataSource } from './src/db/data-source';

/** The TypeORM CLI and `npx nocert migrate` use this DataSource (DATABASE_URL, default embedded SQLite). */
export default createDataSource(process.env.DATABASE_URL || 'sqlite:data/nocert.sqlite');
