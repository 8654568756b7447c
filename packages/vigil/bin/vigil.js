#!/usr/bin/env node
// The `vigil` command. This file is committed (dist/ is built) because npm links a package's
// bin only if the file exists when it installs: in a fresh clone that is before `prepare` has
// built dist/, and `npx vigil` would otherwise not be found.
import '../dist/cli.js';
