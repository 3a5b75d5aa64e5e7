// Tests assert on answers, not on log lines; LOG_LEVEL=info npm test shows them.
process.env.LOG_LEVEL ??= 'silent';
