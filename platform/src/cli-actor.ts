import { userInfo } from 'node:os';

/** A CLI's actor in the audit: the operating-system user who ran it. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}
