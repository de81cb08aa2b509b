import { DataSource } from 'typeorm';

/**
 * Counts the SQL statements a data source sends (every statement through TypeORM's query
 * runners: reads, writes, START TRANSACTION / BEGIN, COMMIT, savepoints), through a
 * subscriber's beforeQuery event. `start()` begins a window, `stop()` ends it and returns
 * the statements seen, in order. Deterministic: a test bounds the count of one operation.
 */
export class QueryCounter {
  private recording = false;
  private seen: string[] = [];
  private readonly subscriber = {
    beforeQuery: (e: { query: string }) => {
      if (this.recording) this.seen.push(e.query.replace(/\s+/g, ' ').trim());
    },
  };

  constructor(private readonly ds: DataSource) {
    ds.subscribers.push(this.subscriber as never);
  }

  start(): void {
    this.seen = [];
    this.recording = true;
  }

  stop(): string[] {
    this.recording = false;
    return this.seen;
  }

  /** Statements that are not transaction control (BEGIN/START/COMMIT/ROLLBACK/SAVEPOINT). */
  static work(statements: string[]): string[] {
    return statements.filter((s) => !/^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SET TRANSACTION)/i.test(s));
  }

  detach(): void {
    const i = this.ds.subscribers.indexOf(this.subscriber as never);
    if (i >= 0) this.ds.subscribers.splice(i, 1);
  }
}
