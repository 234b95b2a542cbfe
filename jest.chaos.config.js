// The chaos gate (`npm run test:chaos`): minutes long, so not one of `npm test`'s projects.
const base = require('./jest.config.js');
const unit = base.projects[0];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: unit.testEnvironment,
  transform: unit.transform,
  moduleFileExtensions: unit.moduleFileExtensions,
  displayName: 'chaos',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/chaos/**/*.test.ts'],
  // The test bounds its own waits (CHAOS_DRAIN_SECONDS); this only stops a hung run.
  testTimeout: 20 * 60_000,
};
