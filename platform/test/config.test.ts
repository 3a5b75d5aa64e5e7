import { z } from 'zod';
import { ConfigError, envBoolean, envPort, envPostgresUrl, parseConfig } from '../src/config';

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
});
