// What a build is doing, once it has run for a second, as Buck2's console shows it: targets done of total, actions
// finished, and the actions running now with their time. On a terminal the block is redrawn in place and erased at
// the end; elsewhere (a log, CI) or with --verbose (which keeps the full log) it is printed as lines, at one second
// and then every ten.
import type { Action } from "./evaluation.js";
import { actionName } from "./executor.js";

const FIRST_MS = 1000;
const LOG_EVERY_MS = 10_000;
const REDRAW_MS = 250;

export class Progress {
  private readonly startedAt = Date.now();
  private readonly running = new Map<number, { a: Action; since: number }>();
  private readonly left = new Map<string, number>(); // owner -> actions not finished
  private finishedActions = 0;
  private timer: NodeJS.Timeout | undefined;
  private drawnLines = 0;
  private lastLog = 0;

  constructor(
    private readonly actions: Action[],
    private readonly inPlace: boolean,
    private readonly write: (s: string) => void = (s) => process.stderr.write(s),
  ) {
    for (const a of actions) this.left.set(a.owner, (this.left.get(a.owner) ?? 0) + 1);
    this.timer = setInterval(() => this.tick(), inPlace ? REDRAW_MS : 100);
    this.timer.unref();
  }

  /** In place on a terminal (unless --verbose), as lines otherwise; `STRATA_PROGRESS=lines|off` overrides. */
  static forTerminal(actions: Action[], verbose: boolean): Progress | undefined {
    const mode = process.env["STRATA_PROGRESS"];
    if (mode === "off" || actions.length === 0) return undefined;
    return new Progress(actions, mode !== "lines" && !verbose && process.stderr.isTTY === true);
  }

  started(a: Action): void {
    this.running.set(a.index, { a, since: Date.now() });
  }

  finished(a: Action): void {
    this.running.delete(a.index);
    this.finishedActions += 1;
    this.left.set(a.owner, (this.left.get(a.owner) ?? 1) - 1);
  }

  /** The status block: a summary line, then one line per running action. */
  render(now = Date.now()): string[] {
    const targets = this.left.size;
    const done = [...this.left.values()].filter((n) => n <= 0).length;
    const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
    const head = `Building: ${done}/${targets} targets done, actions: ${this.finishedActions}/${this.actions.length} finished, ${this.running.size} running. Time elapsed: ${secs(now - this.startedAt)}`;
    return [head, ...[...this.running.values()].map(({ a, since }) => `  ${actionName(a)} -- ${secs(now - since)}`)];
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.startedAt < FIRST_MS) return;
    if (this.inPlace) {
      this.erase();
      const lines = this.render(now);
      this.write(lines.join("\n") + "\n");
      this.drawnLines = lines.length;
    } else if (this.lastLog === 0 || now - this.lastLog >= LOG_EVERY_MS) {
      this.lastLog = now;
      this.write(this.render(now).join("\n") + "\n");
    }
  }

  private erase(): void {
    if (this.drawnLines > 0) this.write(`\x1b[${this.drawnLines}A\x1b[J`);
    this.drawnLines = 0;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.inPlace) this.erase();
  }
}
