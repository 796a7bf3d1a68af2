/** True only in test builds (`npm run build:test`, dist-test/): compiles in the e2e query channel. */
declare const __TEST_BUILD__: boolean;
