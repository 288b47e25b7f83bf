// `strata image-test`: runs a test program inside a throwaway snapshot of a layer (the command of an
// image_test's ExternalRunnerTestInfo). The exit code is the test's; the layer is never changed.
import { accessSync, constants as fsConstants } from "node:fs";
import { basename, resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { runIsolated } from "../isolation/index.js";
import { withThrowawaySnapshot } from "../isolation/throwaway.js";
import { parseEnvPairs } from "../isolation/env-pairs.js";

/** where the test program appears inside the container (read-only) */
export const TEST_DIR = "/run/strata-test";

interface ImageTestArgs {
  layer: string;
  test: string;
  user: string;
  env: string[];
  label: string;
  "--"?: (string | number)[];
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function runImageTest(opts: { layer: string; test: string; user: string; env: Record<string, string>; args: string[]; label: string }): Promise<number> {
  const test = resolve(opts.test);
  const inImage = `${TEST_DIR}/${basename(test)}`;
  // a source script without the executable bit still runs, through the image's shell
  const argv = isExecutable(test) ? [inImage, ...opts.args] : ["/bin/sh", inImage, ...opts.args];
  return withThrowawaySnapshot(opts.layer, opts.label, async ({ root, layerMounts }) => {
    const r = await runIsolated({ root, writable: true, user: opts.user, env: opts.env, argv, layerMounts, roBinds: [{ host: test, image: inImage }], label: opts.label });
    return r.exitCode;
  });
}

export const imageTestCommand: CommandModule<object, ImageTestArgs> = {
  command: "image-test",
  builder: (y: Argv) =>
    y
      .parserConfiguration({ "populate--": true })
      .option("layer", { type: "string", demandOption: true, describe: "the layer's output symlink" })
      .option("test", { type: "string", demandOption: true, describe: "the test program on the host (mounted read-only)" })
      .option("user", { type: "string", default: "root", describe: "user of the image to run as" })
      .option("env", { type: "string", array: true, default: [], describe: "K=V, repeatable" })
      .option("label", { type: "string", default: "image_test", describe: "Buck2 label of the test (for messages)" }) as unknown as Argv<ImageTestArgs>,
  handler: async (argv: ArgumentsCamelCase<ImageTestArgs>) => {
    const env = parseEnvPairs(argv.env, argv.label);
    const args = (argv["--"] ?? []).map(String);
    process.exitCode = await runImageTest({ layer: argv.layer, test: argv.test, user: argv.user, env, args, label: argv.label });
  },
};
