import type { CommandModule } from "yargs";

// Placeholder until the command is implemented.
export const compileCommand: CommandModule = {
  command: "compile",
  describe: "(compile: not implemented yet)",
  handler: () => {
    throw new Error("compile is not implemented yet");
  },
};
