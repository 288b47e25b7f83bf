import type { CommandModule } from "yargs";

// Placeholder until the command is implemented.
export const gcCommand: CommandModule = {
  command: "gc",
  describe: "(gc: not implemented yet)",
  handler: () => {
    throw new Error("gc is not implemented yet");
  },
};
