#!/usr/bin/env bash
# The main job, for now: build the example image (examples/features/*.json) with the strata runner, two layers:
# //examples:base, then //examples:app on top of it. Outputs land in strata-out/examples/ (OUT symlinks and facts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
npm run --silent build

OUT="${STRATA_EXAMPLE_OUT:-strata-out/examples}"
mkdir -p "$OUT"
strata() { node bin/strata.mjs "$@"; }

strata compile --label //examples:base --phase compile --features examples/features/base.json \
  --out "$OUT/base" --facts-out "$OUT/base.facts.json"
strata compile --label //examples:app --phase compile --features examples/features/app.json \
  --parent "$OUT/base" --out "$OUT/app" --facts-out "$OUT/app.facts.json"

echo "built //examples:app: $OUT/app -> $(readlink "$OUT/app")"
echo "facts: $OUT/app.facts.json"
(cd "$OUT/app" && find . -mindepth 1 | LC_ALL=C sort | sed 's|^\./|  /|')
