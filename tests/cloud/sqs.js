// SPDX-License-Identifier: GPL-2.0-or-later
// sqs.js - start npm local-aws-sqs (JSON 1.0 and Query protocols) on
// 127.0.0.1.  usage: node sqs.js MODULE_DIR PORT
// Prints "PORT <n>" once listening.  Queues can be re-created at once
// (no 60 s lifecycle emulation).  It checks no signature: the tests put
// fake_ec2.py --mode proxy in front of it.
'use strict';
const [moduleDir, port] = process.argv.slice(2);
const { createSqsServer } = require(moduleDir + '/node_modules/local-aws-sqs');
createSqsServer({
  port: Number(port),
  hostname: '127.0.0.1',
  emulateQueueCreationLifecycle: false,
}).then(
  (server) => {
    console.log('PORT ' + server.address().port);
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
  },
  (err) => {
    console.error('local-aws-sqs: ' + err.message);
    process.exit(1);
  }
);
