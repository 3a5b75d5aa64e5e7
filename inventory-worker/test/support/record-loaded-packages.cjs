// Preloaded (node --require) into a worker process by loaded-packages.test.ts: when the process exits, it
// writes the npm packages it loaded, and which of our Prisma package's parts (`prisma:generated/product`,
// `prisma:migrate`, …), as a JSON list, to the file LOADED_PACKAGES_FILE names.
'use strict';
const fs = require('node:fs');

process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    if (match) packages.add(match[1]);
    const part = /\/prisma\/dist\/(?:(generated\/[^/]+)\/|src\/(migrate)\.js$)/.exec(file);
    if (part && !file.includes('node_modules')) packages.add(`prisma:${part[1] ?? part[2]}`);
  }
  fs.writeFileSync(String(process.env.LOADED_PACKAGES_FILE), JSON.stringify([...packages].sort()));
});
