// What a caller asks of an isolated run.

export interface IsolationOptions {
  /** host path of the image root (a directory or subvolume) */
  root: string;
  /** the command, argv style; argv[0] is looked up on the container's PATH */
  argv: string[];
  /** mount the root writable (genrule, throwaway snapshots); default read-only */
  writable?: boolean;
  /** a user of the image (`name` or `name:group`); default `nobody` */
  user?: string;
  /** extra environment variables, on top of the fixed container environment */
  env?: Record<string, string>;
  /** working directory inside the container; default `/` */
  cwd?: string;
  /** SOURCE_DATE_EPOCH inside the container; default 0 */
  epoch?: number;
  /** host path → image path, mounted read-only */
  roBinds?: { host: string; image: string }[];
  /** image mountpoint → host path of another layer's tree, mounted read-only */
  layerMounts?: { mountpoint: string; source: string }[];
  /** `inherit` streams through (default); `pipe` collects stdout/stderr into the result */
  stdio?: "inherit" | "pipe";
  /** data for the command's stdin when stdio is `pipe` */
  input?: string;
  /** keep the controlling terminal usable (interactive shells); otherwise the command gets a new session */
  interactive?: boolean;
  /** Buck2 label for error messages */
  label?: string;
}

export interface IsolationResult {
  /** the command's exit code; 128+n when it was killed by signal n */
  exitCode: number;
  stdout: string;
  stderr: string;
}
