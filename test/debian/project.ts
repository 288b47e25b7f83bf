// A scratch strata project with the Debian lock and flavors (debian/) beside the examples, on the btrfs test volume.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { newProject, repoRoot, type Project } from "../rules/project.js";

export function debianProject(extra: Record<string, string> = {}): Project {
  return newProject({
    "debian/BUCK": readFileSync(join(repoRoot, "debian/BUCK"), "utf8"),
    "debian/bookworm.json": readFileSync(join(repoRoot, "debian/bookworm.json"), "utf8"),
    "debian/bookworm.lock.json": readFileSync(join(repoRoot, "debian/bookworm.lock.json"), "utf8"),
    ...extra,
  });
}
