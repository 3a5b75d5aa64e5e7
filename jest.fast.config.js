// `npm run test:fast`: the daily loop, every test but the drills: those that start processes (workers,
// CLIs, `npm start`), a browser or a private redis-server, make faults for real, or fuzz for seconds.
// `npm test` runs them all, and is what CI runs.
const base = require('./jest.config');

const DRILLS = [
  'inventory-worker/test/(any-order|crash-recovery|loaded-packages|postgres-outage|consumer-hygiene)\\.test\\.ts$',
  'inventory-api/test/(admin-page|dlq-cli|database-outage|redis-stall|redis-outage)\\.test\\.ts$',
  'product-api/test/database-outage\\.test\\.ts$',
  'prisma/test/migrations\\.test\\.ts$',
  'platform/test/memory\\.test\\.ts$',
  '<rootDir>/test/(fuzz|processes|start|reconcile|pipeline|broker-loss|redis-outage|dead-letters-lost|redis-sentinel|redis-cluster|redis-tls-acl|tracing)\\.test\\.ts$',
];

/** @type {import('jest').Config} */
module.exports = { ...base, testPathIgnorePatterns: ['/node_modules/', ...DRILLS] };
