import { MAX_RATE } from '../../operations/replays/range-run';
import { CliError } from '../connection';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time given on the command line: ISO-8601 (`2026-05-01T10:00:00Z`), or how long ago
 * (`90m`, `2h`, `1d`: that long before now).
 */
export function parseTime(text: string, option: string, now = Date.now()): Date {
  const ago = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (ago) return new Date(now - Number(ago[1]) * (UNITS[ago[2] as string] as number));
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) {
    throw new CliError(
      `${option} ${JSON.stringify(text)} is not a time: give ISO-8601 (2026-05-01T10:00:00Z) or how long ago (90m, 2h, 1d)`,
    );
  }
  return at;
}

/**
 * --limit of a list, a whole number within the control plane's bounds (which would otherwise
 * answer a count it chose: a word read as 0 gave the default, 500 gave the maximum).
 */
export function parseLimit(text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new CliError(`--limit must be a whole number from 1 to ${max}`);
  }
  return limit;
}

/** --rate, within the control plane's bounds (0, the control plane's default, when not given). */
export function parseRate(text: string | undefined): number {
  if (text === undefined) return 0;
  const rate = Number(text);
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE) {
    throw new CliError(`--rate must be a whole number of events per second, from 1 to ${MAX_RATE}`);
  }
  return rate;
}

/** A run as the commands below read it: a replay or a quarantine replay. */
interface RunState {
  id: string;
  status: string;
  cancelledBy: string;
  error: string;
}

/**
 * After --wait: why the run did not finish (cancelled, or failed), as the error the command ends
 * with (exit code 1), so that a script waiting for it can tell; undefined when it is done.
 */
export function unfinished(noun: string, run: RunState): CliError | undefined {
  if (run.status === 'done') return undefined;
  if (run.status === 'stopped') {
    return new CliError(
      `${noun} ${run.id} was cancelled${run.cancelledBy ? ` by ${run.cancelledBy}` : ''} before the end`,
    );
  }
  return new CliError(`${noun} ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}`);
}

/**
 * After a cancel: a note when the run had already finished or failed, so nothing was cancelled
 * (undefined when it is stopping; one stopped already shows by whom).
 */
export function notCancelled(noun: string, run: RunState): string | undefined {
  if (run.status !== 'done' && run.status !== 'failed') return undefined;
  return `note: ${noun} ${run.id} had already ended (${run.status}); nothing was cancelled\n`;
}

/** Polls `read` until the run is no longer active, calling `progress` on each change. */
export async function waitForRun<R extends { status: string }>(
  read: () => Promise<R>,
  progress: (run: R) => void,
  intervalMs = 1000,
): Promise<R> {
  let last = '';
  for (;;) {
    const run = await read();
    const line = JSON.stringify(run);
    if (line !== last) progress(run);
    last = line;
    if (!['running', 'stopping'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
