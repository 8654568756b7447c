/** vigil hash's edge cases (edge-cases.ts) with the native reader the workers use when it is built. */
import { describeEdgeCases } from './edge-cases.js';

describeEdgeCases({ name: 'native reader', env: {} });
