// A CLI's output through a pipe whose reader is slow (`npm run dlq -- list --all --json | jq` on a loaded
// machine): process.exit drops what the pipe has not taken yet; exitWhenFlushed waits for it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const built = path.join(__dirname, '..', 'dist', 'exit-when-flushed.js');

/** Lines a child printed (1,200 of 600 characters) and then ended with `ending`, read only after 300 ms. */
async function linesReceived(ending: string): Promise<number> {
  const script = `const { exitWhenFlushed } = require(${JSON.stringify(built)});
for (let i = 0; i < 1200; i++) console.log(i + ' ' + 'x'.repeat(600));
${ending}`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pause();
  const closed = new Promise((resolve) => child.once('close', resolve));
  await sleep(300);
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stdout.resume();
  await closed;
  return text.split('\n').filter(Boolean).length;
}

test('exitWhenFlushed ends the process after all it printed has been read; process.exit there loses lines', async () => {
  expect(await linesReceived('exitWhenFlushed(0);')).toBe(1200);
  expect(await linesReceived('process.exit(0);')).toBeLessThan(1200);
});
