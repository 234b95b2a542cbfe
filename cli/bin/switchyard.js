#!/usr/bin/env node
'use strict';
// The `switchyard` CLI from a clone: TypeScript run through tsx (a devDependency, as for every
// other local tool), so `npm ci` is the only setup step.
require('tsx/cjs/api').register();
require('../main.ts');
