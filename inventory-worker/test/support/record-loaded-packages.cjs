// Preloaded (node --require) into a worker process by loaded-packages.test.ts: when the process exits, it
// writes the npm packages it loaded, as a JSON list, to the file LOADED_PACKAGES_FILE names.
'use strict';
const fs = require('node:fs');

process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    if (match) packages.add(match[1]);
  }
  fs.writeFileSync(String(process.env.LOADED_PACKAGES_FILE), JSON.stringify([...packages].sort()));
});
