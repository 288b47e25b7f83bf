import type { CommandModule } from "yargs";

// Placeholder until the local driver is implemented.
export const localCommand: CommandModule = {
  command: "local",
  describe: "(local driver: not implemented yet)",
  handler: () => {
    throw new Error("local is not implemented yet");
  },
};
