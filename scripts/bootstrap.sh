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
# packaging (src/packaging) and the clients its tests read the packages back with
command -v mksquashfs >/dev/null || need_apt+=(squashfs-tools)
command -v cpio >/dev/null || need_apt+=(cpio)
command -v pigz >/dev/null || need_apt+=(pigz)
command -v debugfs >/dev/null || need_apt+=(e2fsprogs)
command -v setcap >/dev/null || need_apt+=(libcap2-bin)
command -v getfattr >/dev/null || need_apt+=(attr)
command -v skopeo >/dev/null || need_apt+=(skopeo)
command -v umoci >/dev/null || need_apt+=(umoci)
command -v podman >/dev/null || need_apt+=(podman)
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
