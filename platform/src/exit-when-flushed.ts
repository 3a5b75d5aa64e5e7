/**
 * Ends a command-line tool with `code` once all it printed has left for stdout and stderr. On a pipe Node
 * writes what the reader has not taken yet later, and `process.exit` drops it: `npm run dlq -- list --all
 * --json | jq` on a loaded machine lost its last lines. An empty write's callback runs after every write
 * queued before it.
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const flushed = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}
