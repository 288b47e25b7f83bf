#!/usr/bin/env bash
# The main job: build example images from examples/BUCK with the local Buck2 driver (starlark-rust evaluates the
# same BUCK and .bzl files Buck2 would, then the runner builds each phase as a read-only btrfs layer), then run
# the example image tests inside the built image. Pass other targets to build those instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh   # installs what is missing and compiles the runner if a source changed

strata() { node bin/strata.mjs "$@"; }
if [ "$#" -gt 0 ]; then
  exec node bin/strata.mjs local build "$@" --show-output
fi

strata local build //examples:app //examples/genrule:foo --show-output
app="$(readlink -f buck-out/v2/gen/root/examples/__app__/compile/layer)"
echo "//examples:app is the read-only layer $app:"
(cd "$app" && find . -mindepth 1 | LC_ALL=C sort | sed 's|^\./|  /|')
strata local test //examples/test:
