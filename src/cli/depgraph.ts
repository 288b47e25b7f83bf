import type { CommandModule } from "yargs";

// Placeholder until the command is implemented.
export const depgraphCommand: CommandModule = {
  command: "depgraph",
  describe: "(depgraph: not implemented yet)",
  handler: () => {
    throw new Error("depgraph is not implemented yet");
  },
};
