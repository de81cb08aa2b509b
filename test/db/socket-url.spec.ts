import { expect } from 'chai';
import fs from 'fs';
import { dataSourceOptions, mysqlSocketOf, openDataSource } from '../../src/db/data-source';

/** `mysql://...?socket=PATH`: a database on the same machine through its Unix socket. */
describe('database URL: a MySQL/MariaDB Unix socket', () => {
  it('takes socket= out of the URL and passes it as socketPath; a URL without one is unchanged', () => {
    expect(mysqlSocketOf('mysql://u:p@localhost/db?socket=/run/mysqld/mysqld.sock')).to.deep.equal({ url: 'mysql://u:p@localhost/db', socketPath: '/run/mysqld/mysqld.sock' });
    expect(mysqlSocketOf('mysql://u@127.0.0.1:3306/db')).to.deep.equal({ url: 'mysql://u@127.0.0.1:3306/db', socketPath: null });
    const o = dataSourceOptions('mysql://u@localhost/db?socket=/tmp/my.sock') as unknown as { url: string; socketPath?: string };
    expect([o.url, o.socketPath]).to.deep.equal(['mysql://u@localhost/db', '/tmp/my.sock']);
    expect((dataSourceOptions('mysql://u@localhost/db') as unknown as { socketPath?: string }).socketPath).to.equal(undefined);
  });

  it('refuses a relative socket path', () => {
    expect(() => mysqlSocketOf('mysql://u@localhost/db?socket=mysqld.sock')).to.throw(/absolute path/);
  });

  it('connects through the socket of the test database (MariaDB on this machine)', async function () {
    const url = process.env.TEST_DATABASE_URL ?? '';
    const socket = ['/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock'].find((p) => fs.existsSync(p));
    if (!url.startsWith('mysql://') || !socket) this.skip();
    // A login of its own for socket connections (root@localhost may be socket-authenticated,
    // which mysql2 does not speak), made through the test database's own TCP login.
    const admin = await openDataSource(url);
    const db = new URL(url).pathname.slice(1);
    try {
      await admin.query(`CREATE USER IF NOT EXISTS 'nocert_socket'@'localhost' IDENTIFIED BY 'socket-test'`);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${db}\`.* TO 'nocert_socket'@'localhost'`);
    } finally {
      await admin.destroy();
    }
    const ds = await openDataSource(`mysql://nocert_socket:socket-test@localhost/${db}?socket=${encodeURIComponent(socket!)}`);
    try {
      // Through the socket the server lists the connection as from "localhost"; over TCP it
      // would be "127.0.0.1:PORT".
      const [me] = (await ds.query('SELECT host AS h FROM information_schema.processlist WHERE id = CONNECTION_ID()')) as Array<{ h: string }>;
      expect(me.h).to.equal('localhost');
    } finally {
      await ds.destroy();
    }
  });
});
