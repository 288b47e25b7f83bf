#!/usr/bin/env bash
# Installs what strata needs on a fresh Debian machine; cheap to re-run (each step checks first).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v mkfs.btrfs >/dev/null || need_apt+=(btrfs-progs)
command -v bwrap >/dev/null || need_apt+=(bubblewrap)
command -v losetup >/dev/null || need_apt+=(mount)
command -v ar >/dev/null || need_apt+=(binutils)
command -v zstd >/dev/null || need_apt+=(zstd)
command -v xz >/dev/null || need_apt+=(xz-utils)
if [ "${#need_apt[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY="${STRATA_PYTHON:-python3}"
if ! "$PY" -c 'import starlark' 2>/dev/null; then
  # Debian's own python refuses user installs (PEP 668) unless told otherwise.
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>/dev/null \
    || "$PY" -m pip install --quiet --disable-pip-version-check --break-system-packages -r requirements.txt
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
[ -f dist/runner/main.js ] || npm run --silent build

# Debian images: apt verifies the archive with Debian's keyring (strata deb-lock); getcap and getfattr check file
# capabilities and xattrs in the tests; dpkg-deb extracts the essential packages of a bootstrap.
need_debian=()
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need_debian+=(debian-archive-keyring)
command -v getcap >/dev/null || need_debian+=(libcap2-bin)
command -v getfattr >/dev/null || need_debian+=(attr)
command -v dpkg-deb >/dev/null || need_debian+=(dpkg)
if [ "${#need_debian[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_debian[@]}" >/dev/null
fi

# [strata] debian_mirror: the Debian archive the Debian rules download from, taken from this host's apt sources
# and kept in .buckconfig.local (machine-local, not committed; Buck2 and the local driver both read it).
if ! grep -qs '^[[:space:]]*debian_mirror[[:space:]]*=' .buckconfig.local; then
  mirror=$(bash scripts/debian-mirror.sh)
  printf '\n[strata]\n  debian_mirror = %s\n' "$mirror" >> .buckconfig.local
fi
