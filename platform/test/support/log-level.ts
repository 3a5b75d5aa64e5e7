import type { LogLevel } from '../../src/logger';

/** Tests assert on answers, not on log lines: silent unless `LOG_LEVEL=info npm test` asks to see them. */
export const TEST_LOG_LEVEL = (process.env.LOG_LEVEL ?? 'silent') as LogLevel;
