// SPDX-License-Identifier: GPL-2.0-or-later
// s3rver.js - start @20minutes/s3rver (it ships no bin/) on 127.0.0.1.
// usage: node s3rver.js MODULE_DIR DATA_DIR PORT BUCKET
// Prints "PORT <n>" once listening; keeps DATA_DIR across restarts, so a
// restarted server shows what the killed one had stored.
'use strict';
const [moduleDir, dataDir, port, bucket] = process.argv.slice(2);
const S3rver = require(moduleDir + '/node_modules/@20minutes/s3rver');
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory: dataDir,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
server.run().then(
  (addr) => console.log('PORT ' + addr.port),
  (err) => {
    console.error('s3rver: ' + err.message);
    process.exit(1);
  }
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
