// Three projects so each level can be run alone: `npm run test:unit` needs no emulator.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
// .package/ holds the staged deployment package (npm run package): another package.json and
// ~60,000 files that are not this project's modules.
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/.package/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
  // A global option in jest (projects cannot set it). Tests wait for conditions with their
  // own, shorter deadlines; this only stops a hung test.
  testTimeout: 60_000,
};
