#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the whole vitest suite (btrfs suites need root).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh   # installs what is missing and compiles the runner if a source changed
exec npx vitest run "$@"
