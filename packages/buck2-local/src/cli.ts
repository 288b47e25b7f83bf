// `build|run|test|uquery|cquery`: the local Buck2 driver's command line, as yargs commands an embedding CLI mounts under a verb of its own.
import { execa } from "execa";
import type { Argv, CommandModule } from "yargs";
import { buildRequested, buildTargets, showOutputLines } from "./build.js";
import { evaluateTargets, queryTargets } from "./evaluation.js";
import { DriverFailure } from "./failure.js";
import { findProjectRoot } from "./root.js";
import { testCommand } from "./test-verb.js";

interface BuildArgs {
  targets: string[];
  "show-output": boolean;
  verbose: boolean;
  "keep-going": boolean;
}

function fail(e: unknown): never {
  if (e instanceof DriverFailure) {
    process.stderr.write(e.text.endsWith("\n") ? e.text : e.text + "\n");
    process.exit(e.exitCode);
  }
  throw e;
}

const buildCommand: CommandModule<object, BuildArgs> = {
  command: "build <targets..>",
  describe: "build targets (like `buck2 build`)",
  builder: (y) =>
    y
      .positional("targets", { type: "string", array: true, demandOption: true })
      .option("show-output", { type: "boolean", default: false, describe: "print `LABEL PATH` per default output" })
      .option("verbose", { type: "boolean", default: false, describe: "print each action run or skipped (a full log, no in-place progress)" })
      .option("keep-going", { type: "boolean", default: false, describe: "after a failure, build everything that does not depend on it; report every failure" }) as Argv<BuildArgs>,
  handler: async (args) => {
    try {
      const root = findProjectRoot(process.cwd());
      const { evaluation, report } = await buildTargets(root, args.targets, process.cwd(), { verbose: args.verbose, keepGoing: args["keep-going"] });
      if (args.verbose) process.stderr.write(`actions: ${report.ran.length} ran, ${report.skipped.length} skipped\n`);
      if (args["show-output"]) for (const l of showOutputLines(evaluation.requested)) process.stdout.write(l + "\n");
    } catch (e) {
      fail(e);
    }
  },
};

interface RunArgs {
  target: string;
  args: (string | number)[];
  "--"?: (string | number)[];
  verbose: boolean;
}

const runCommand: CommandModule<object, RunArgs> = {
  command: "run <target> [args..]",
  describe: "build a target and run its RunInfo (like `buck2 run`), from the project root",
  builder: (y) =>
    y
      // `buck2 run //t -- ARGS`: everything after `--` goes to the command untouched, even `-c` or `--flag`
      .parserConfiguration({ "populate--": true, "parse-positional-numbers": false })
      .positional("target", { type: "string", demandOption: true })
      .positional("args", { type: "string", array: true, default: [] })
      .option("verbose", { type: "boolean", default: false }) as Argv<RunArgs>,
  handler: async (args) => {
    try {
      const root = findProjectRoot(process.cwd());
      const evaluation = await evaluateTargets(root, [args.target], process.cwd());
      const t = evaluation.requested[0];
      const run = t?.providers["RunInfo"] as { args: string[]; inputs: string[] } | undefined;
      if (t === undefined || run === undefined) {
        throw new DriverFailure(`error: ${t?.label ?? args.target}: target does not provide RunInfo, so it cannot be run`);
      }
      const needed = new Set(run.inputs);
      const producers = evaluation.actions.filter((a) => a.outputs.some((o) => needed.has(o.path))).map((a) => a.index);
      await buildRequested(evaluation, [{ ...t, build: [...t.build, ...producers.map((p) => ({ path: "", producer: p }))] }], { verbose: args.verbose });
      const [cmd, ...rest] = run.args;
      const extra = [...args.args, ...(args["--"] ?? [])].map(String);
      const r = await execa(cmd!, [...rest, ...extra], { cwd: root, stdio: "inherit", reject: false });
      process.exit(r.exitCode ?? 1);
    } catch (e) {
      fail(e);
    }
  },
};

interface QueryArgs {
  patterns: string[];
  "output-attribute"?: string | string[];
}

/** `uquery` and `cquery` for target patterns (no query functions): the driver has no configurations, so both
 * print the unconfigured targets, as `buck2 uquery` does. */
function queryCommand(kind: "uquery" | "cquery"): CommandModule<object, QueryArgs> {
  return {
    command: `${kind} <patterns..>`,
    describe:
      kind === "uquery"
        ? "print the targets that target patterns name (like `buck2 uquery`), with --output-attribute their attributes as JSON"
        : "as uquery: the local driver has one configuration, so `buck2 cquery`'s answer for a pattern is uquery's",
    builder: (y) =>
      y
        .positional("patterns", { type: "string", array: true, demandOption: true, describe: "target patterns (`//p:t`, `//p:`, `//p/...`)" })
        .option("output-attribute", {
          type: "string",
          describe: "print the attributes whose names match this regex (repeatable), as JSON: label -> {attribute: value}",
        }) as unknown as Argv<QueryArgs>,
    handler: async (args) => {
      try {
        const root = findProjectRoot(process.cwd());
        const attr = args["output-attribute"];
        const attributes = attr === undefined ? [] : Array.isArray(attr) ? attr : [attr];
        process.stdout.write(await queryTargets(root, kind, args.patterns, attributes, process.cwd()) + "\n");
      } catch (e) {
        fail(e);
      }
    },
  };
}

/** the driver's verbs (build, run, test, uquery, cquery, then `extra`) under one command, e.g. `strata local` */
export function driverCommand(command: string, describe: string, extra: CommandModule[] = []): CommandModule {
  return {
    command,
    describe,
    builder: (y) => {
      let out = y.command(buildCommand as unknown as CommandModule).command(runCommand as unknown as CommandModule).command(testCommand as unknown as CommandModule);
      for (const kind of ["uquery", "cquery"] as const) out = out.command(queryCommand(kind) as unknown as CommandModule);
      for (const c of extra) out = out.command(c);
      return out.demandCommand(1);
    },
    handler: () => {},
  };
}
