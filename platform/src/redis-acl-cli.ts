// `npm run redis-acl [-- <deployable>]`: the ACL SETUSER command of each deployable's least-privilege Redis
// user, for the stream names of the environment (PRODUCT_STREAM, DEAD_LETTER_STREAM).
import { z } from 'zod';
import { ConfigError, envStreamNames, parseConfig } from './config';
import { DEPLOYABLES, redisAclRules } from './redis-acl';
import type { Deployable } from './redis-acl';

function main(args: string[]): number {
  const wanted = args.filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !(DEPLOYABLES as string[]).includes(name));
  if (unknown.length > 0 || args.includes('--help')) {
    console.error(`usage: npm run redis-acl [-- ${DEPLOYABLES.join('|')}]`);
    return 2;
  }
  let names: z.infer<z.ZodObject<typeof envStreamNames>>;
  try {
    names = parseConfig(z.object(envStreamNames));
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    return 2;
  }
  const streams = { stream: names.PRODUCT_STREAM, deadLetterStream: names.DEAD_LETTER_STREAM };
  for (const deployable of (wanted.length > 0 ? wanted : DEPLOYABLES) as Deployable[]) {
    console.log(`ACL SETUSER ${deployable} on >CHANGE-ME ${redisAclRules(deployable, streams).join(' ')}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
