// A failure of the local driver whose text is already rendered (`error: ...` first): user errors exit 1, bugs 2.
export class DriverFailure extends Error {
  constructor(
    readonly text: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(text);
    this.name = "DriverFailure";
  }
}

/** Every action that failed in one run (several when they ran at once, or with --keep-going), and which finished. */
export class ActionFailures extends DriverFailure {
  constructor(
    readonly failures: DriverFailure[],
    readonly done: ReadonlySet<number>,
  ) {
    super(failures.map((f) => f.text.replace(/\n+$/, "")).join("\n\n"), failures.some((f) => f.exitCode === 2) ? 2 : 1);
    this.name = "ActionFailures";
  }

  static of(errors: unknown[], done: ReadonlySet<number>): ActionFailures {
    const failures = errors.map((e) =>
      e instanceof DriverFailure ? e : new DriverFailure(`error: internal error in the strata local driver: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, 2),
    );
    return new ActionFailures(failures, done);
  }
}
