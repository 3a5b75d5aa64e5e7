import type { Logger } from './logger';
import { errorMessage } from './logger';

interface Step {
  name: string;
  run: () => Promise<void> | void;
}

/**
 * Named steps run in the order they were added, once, under one deadline: stop taking work first,
 * close connections last.
 */
export class Shutdown {
  private readonly steps: Step[] = [];
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs = 10_000,
  ) {}

  add(name: string, run: Step['run']): this {
    this.steps.push({ name, run });
    return this;
  }

  /** Resolves true when every step finished in time. Calling it again returns the same run. */
  run(reason: string): Promise<boolean> {
    this.running ??= this.runSteps(reason);
    return this.running;
  }

  /** SIGTERM and SIGINT run the steps, then exit: 0 when all went well. */
  onSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void this.run(signal).then((clean) => exit(clean ? 0 : 1));
      });
    }
  }

  private async runSteps(reason: string): Promise<boolean> {
    this.logger.info('shutting down', { reason });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.deadlineMs);
      timer.unref();
    });
    const steps = (async () => {
      let clean = true;
      for (const step of this.steps) {
        try {
          await step.run();
        } catch (error) {
          clean = false;
          this.logger.error('shutdown step failed', { step: step.name, error: errorMessage(error) });
        }
      }
      return clean;
    })();
    const clean = await Promise.race([steps, deadline]);
    clearTimeout(timer);
    if (clean) this.logger.info('shut down cleanly');
    else this.logger.error('shutdown was not clean', { deadlineMs: this.deadlineMs });
    return clean;
  }
}
