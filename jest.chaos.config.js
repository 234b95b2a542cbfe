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
  // No testTimeout here: chaos.test.ts sets its bound from its CHAOS_* settings (publish, outages,
  // drain and stall seconds, with margin), so a long run is not cut before it settles.
};
