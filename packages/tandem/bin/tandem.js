#!/usr/bin/env node
// The `tandem` command (`tandem worker`). Committed, not built, for the reason given in
// packages/vigil/bin/vigil.js: npm links a bin only if it exists at install time.
import '../dist/cli/tandem.js';
