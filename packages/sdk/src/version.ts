/** The SDK's package name, sent in `hello` so gateways can tell clients apart in logs. */
export const SDK_NAME = '@switchboard/sdk';

/** The SDK's version (kept equal to package.json's by a test). */
export const SDK_VERSION = '0.1.0';
