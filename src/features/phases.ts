// The build phases of a layer, in the order they run. rules/private/build_phase.bzl holds the same list for the rules (with
// the reasons for the order); test/features/parity.test.ts fails when the two differ.
export const BUILD_PHASES = ["package_manager", "genrule", "remove", "compile", "buildinfo_stamp"] as const;

export type BuildPhase = (typeof BUILD_PHASES)[number];
