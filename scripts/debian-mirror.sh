#!/usr/bin/env bash
# Prints the Debian archive URL this host's apt uses (the first `deb` source whose suites are not -security),
# from deb822 files (/etc/apt/sources.list.d/*.sources) or one-line files (sources.list, *.list).
# STRATA_DEBIAN_MIRROR overrides. Exit 1 when none is found.
set -euo pipefail
if [ -n "${STRATA_DEBIAN_MIRROR:-}" ]; then echo "$STRATA_DEBIAN_MIRROR"; exit 0; fi
APT_DIR="${STRATA_APT_ETC:-/etc/apt}"
shopt -s nullglob
for f in "$APT_DIR"/sources.list.d/*.sources; do
  # deb822: paragraphs separated by blank lines; fields Types, URIs, Suites (continuation lines start with space)
  url=$(awk 'BEGIN { RS = ""; FS = "\n" }
    {
      types = ""; uris = ""; suites = ""; enabled = "yes"
      for (i = 1; i <= NF; i++) {
        line = $i
        if (line ~ /^[ \t]*#/) continue
        if (line ~ /^Types:/) { sub(/^Types:[ \t]*/, "", line); types = line }
        if (line ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line); uris = line }
        if (line ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", line); suites = line }
        if (line ~ /^Enabled:/) { sub(/^Enabled:[ \t]*/, "", line); enabled = tolower(line) }
      }
      if (enabled == "no" || types !~ /(^|[ \t])deb([ \t]|$)/ || suites ~ /-security/) next
      split(uris, u, /[ \t]+/); print u[1]; exit
    }' "$f")
  if [ -n "$url" ]; then echo "${url%/}"; exit 0; fi
done
for f in "$APT_DIR"/sources.list "$APT_DIR"/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  # deb [options] URI suite components...
  url=$(sed -E -n '/^[[:space:]]*deb[[:space:]]/{ s/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; /-security/d; s/[[:space:]].*//; p; q }' "$f")
  if [ -n "$url" ]; then echo "${url%/}"; exit 0; fi
done
echo "error: no Debian archive found in $APT_DIR/sources.list or $APT_DIR/sources.list.d/ (set STRATA_DEBIAN_MIRROR)" >&2
exit 1
