// The facts of "no parent layer": nothing but what is ambient (the depgraph adds `/`, root and root itself).
import type { FactsView } from "../types.js";

export const emptyFacts: FactsView = {
  path: () => undefined,
  user: () => undefined,
  group: () => undefined,
  users: () => [],
  groups: () => [],
  mounts: () => [],
  listUnder: () => [],
};
