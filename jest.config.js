/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@/(.*)$': '<rootDir>/src/$1',
    // @fastify/static (Swagger UI assets) depends on ESM-only majors that Node >= 20.19 loads
    // natively but jest's CommonJS runtime cannot; tests use the same APIs' CommonJS majors.
    '^glob$': '<rootDir>/node_modules/glob-cjs',
    '^content-disposition$': '<rootDir>/node_modules/content-disposition-cjs',
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
};
