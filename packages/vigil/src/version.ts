/** vigil's version: read from its package.json, the one place it is written. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// From dist/ (or src/) to the package's root.
export const VIGIL_VERSION: string = (require('../package.json') as { version: string }).version;
