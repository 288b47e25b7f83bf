// Errors a user sees. Each names the Buck2 label and the feature, says what was expected and what was found,
// and renders with a first line `error: ...` that Buck2's console and an IDE can show; an error of a feature starts
// with the place of its call, `path/BUCK:line:col: error: ...`, and names the fix in Starlark when there is one.

/**
 * What kind of problem an error is, for tests and tools (match the kind, not the wording):
 * schema: a feature or file of the wrong shape; conflict: two providers of one item (or against the parent);
 * missing: a required item nobody provides; unsatisfied: an item exists but is not what is required;
 * cycle: features that depend on each other; parent: a parent layer that cannot be used; io: the file system or a tool failed.
 */
export type ErrorKind = "schema" | "conflict" | "missing" | "unsatisfied" | "cycle" | "parent" | "io";

export interface ErrorDetail {
  kind?: ErrorKind;
  /** where the feature was declared, `path/BUCK:line:col` (project-relative), for editors; see features/site.ts */
  at?: string;
  /** Buck2 label of the target the error belongs to */
  label: string;
  /** the feature, as `type(key="value", ...)`; absent for layer-level errors */
  feature?: string;
  message: string;
  expected?: string;
  found?: string;
  /** further lines, e.g. the features of a cycle */
  notes?: string[];
  /** what to write instead, in Starlark (`feature.ensure_dirs_exist(dirs = "/opt/svc")` in the same layer) */
  fix?: string;
}

export class StrataError extends Error {
  readonly details: ErrorDetail[];
  constructor(details: ErrorDetail | ErrorDetail[]) {
    const list = Array.isArray(details) ? details : [details];
    super(renderErrors(list));
    this.name = "StrataError";
    this.details = list;
  }

  /** The same errors, each placed at `at` unless it has a place already (errors of one feature). */
  locatedAt(at: string | undefined): StrataError {
    if (at === undefined || this.details.every((d) => d.at !== undefined)) return this;
    return new StrataError(this.details.map((d) => (d.at !== undefined ? d : { ...d, at })));
  }
}

/**
 * Control characters (a newline in a path or label from the features file) are shown escaped, so input can never
 * start a line of its own, such as a forged `error:` line.
 */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

function renderOne(d: ErrorDetail): string {
  const head = [d.label, d.feature, d.message].filter((s) => s !== undefined && s !== "").map((s) => oneLine(s!)).join(": ");
  const lines = [`${d.at !== undefined ? `${oneLine(d.at)}: ` : ""}error: ${head}`];
  if (d.expected !== undefined) lines.push(`  expected: ${oneLine(d.expected)}`);
  if (d.found !== undefined) lines.push(`  found:    ${oneLine(d.found)}`);
  for (const n of d.notes ?? []) lines.push(`  ${oneLine(n)}`);
  if (d.fix !== undefined) lines.push(`  fix:      ${oneLine(d.fix)}`);
  return lines.join("\n");
}

/** Several errors: a summary `error:` line first, then every error in full, so none is hidden behind the first. */
export function renderErrors(details: ErrorDetail[]): string {
  if (details.length === 1) return renderOne(details[0]!);
  const label = details[0]?.label ?? "";
  const head = `error: ${oneLine(label)}: ${details.length} errors`;
  return [head, ...details.map(renderOne)].join("\n");
}
