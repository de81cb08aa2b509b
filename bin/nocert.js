#!/usr/bin/env node
'use strict';
// Compiled by `npm install` (prepare) or `npm run build`.
require('../dist/src/cli.js')
  .run(process.argv.slice(2))
  .then((code) => process.exit(code));
