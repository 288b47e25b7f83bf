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
