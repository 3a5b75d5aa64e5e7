import { z } from 'zod';
import { ConfigError, envBoolean, envPort, envPostgresUrl, envRedisUrl, parseConfig } from '../src/config';

const Config = z.object({
  PORT: envPort(7001),
  DATABASE_URL: envPostgresUrl('postgresql://postgres@127.0.0.1:5432/db'),
  VERBOSE: envBoolean(false),
});

describe('parseConfig', () => {
  test('fills in the defaults', () => {
    expect(parseConfig(Config, {})).toEqual({ PORT: 7001, DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/db', VERBOSE: false });
  });

  test('names every bad variable, what is wrong and the value it got', () => {
    const parse = () => parseConfig(Config, { PORT: 'seventy', DATABASE_URL: 'mysql://x/y', VERBOSE: 'perhaps' });
    expect(parse).toThrow(ConfigError);
    const message = (() => {
      try {
        parse();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('PORT');
    expect(message).toContain('(got "seventy")');
    expect(message).toContain('DATABASE_URL: must be a postgresql:// URL');
    expect(message).toContain('VERBOSE: must be true or false');
  });

  test('reads "false" as false (z.coerce.boolean would read it as true)', () => {
    expect(parseConfig(Config, { VERBOSE: 'false' }).VERBOSE).toBe(false);
    expect(parseConfig(Config, { VERBOSE: '1' }).VERBOSE).toBe(true);
  });

  test('refuses a port outside 0 to 65535', () => {
    expect(() => parseConfig(Config, { PORT: '70000' })).toThrow(/PORT/);
  });

  test('never shows a secret or the credentials of a URL, and still names the variable', () => {
    const Secrets = z.object({ ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters'), REDIS_URL: envRedisUrl });
    const message = messageOf(() => parseConfig(Secrets, { ADMIN_API_KEY: 'short-secret', REDIS_URL: 'http://admin:hunter2@cache:6379' }));
    expect(message).toContain('ADMIN_API_KEY: must be at least 16 characters (value hidden: it is a secret)');
    expect(message).toContain('REDIS_URL: must be a redis:// URL (got "http://***:***@cache:6379/")');
    expect(message).not.toContain('short-secret');
    expect(message).not.toContain('hunter2');
    expect(messageOf(() => parseConfig(Secrets, { ADMIN_API_KEY: 'x'.repeat(16), REDIS_URL: 'redis://:pw@[bad' }))).not.toContain('pw');
  });

  test('never shows a password given as a URL parameter (password, sslpassword), with no @ in the URL', () => {
    const message = messageOf(() =>
      parseConfig(Config, { DATABASE_URL: 'mysql://db.internal/app?user=app&password=hunter2&sslpassword=hunter3' }),
    );
    expect(message).toContain(
      'DATABASE_URL: must be a postgresql:// URL (got "mysql://db.internal/app?user=app&password=***&sslpassword=***")',
    );
    expect(message).not.toMatch(/hunter/);
  });
});

function messageOf(parse: () => unknown): string {
  try {
    parse();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}
