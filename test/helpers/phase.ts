// The build phase a test's features file belongs to (the runner refuses a feature given to another phase).
import { featureModule } from "../../src/features/registry.js";

/** The one phase of `features` (by their types), "compile" for none; throws if they span phases. */
export function phaseOf(features: object[]): string {
  const phases = new Set(features.map((f) => featureModule(String((f as { type?: unknown }).type))?.phase ?? "compile"));
  if (phases.size > 1) throw new Error(`test features span phases ${[...phases].join(", ")}: give each phase its own compile`);
  return [...phases][0] ?? "compile";
}
