import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // btrfs and namespace work is I/O bound and shares one loopback volume; two workers match the 2-core CI machine.
    pool: "forks",
    maxWorkers: 2,
  },
});
