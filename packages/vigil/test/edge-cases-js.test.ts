/** vigil hash's edge cases (edge-cases.ts) with the JavaScript reader the workers fall back to. */
import { describeEdgeCases } from './edge-cases.js';

describeEdgeCases({ name: 'JavaScript reader', env: { VIGIL_NATIVE: '0' } });
