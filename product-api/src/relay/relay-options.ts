/** How the outbox relay runs: its stream, batches, timers and retention (product-api's config sets each). */
export interface RelayOptions {
  stream: string;
  /** The hard cap of the stream: only reached when consumers lag that far (see trimSafely). */
  maxLen: number;
  batchSize: number;
  /**
   * How long the next pass waits for more while requests wait for a connection of the pool (and the last
   * pass was not a full batch): under load, fewer and fuller passes. 0: never waits.
   */
  lingerMs: number;
  sweepIntervalMs: number;
  retentionMs: number;
  /** How often the stream is checked for lost data and trimmed below what every group is done with. */
  brokerCheckIntervalMs: number;
  /** The consumers' dead-letter stream, watched so that a broker reset can count what it lost (default `<stream>.dlq`). */
  deadLetterStream?: string;
}
