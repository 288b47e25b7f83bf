#!/usr/bin/env bash
# Installs what strata needs on a fresh Debian machine; cheap to re-run (each step checks first, and the runner is
# compiled only when a source changed since the last build).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
# wait for another apt/dpkg (unattended-upgrades, a second terminal) instead of failing on its lock
APT_WAIT=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

# Node >= 20 (Debian 12 ships 18)
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  {
    if [ "$node_major" -eq 0 ]; then echo "error: strata needs Node.js 20 or newer, and \`node\` was not found"
    else echo "error: strata needs Node.js 20 or newer; this \`node\` is $(node --version)"; fi
    echo "  Debian 12's own nodejs package is 18. Install a current Node.js, for example:"
    echo "    - Debian 13 (trixie) or newer: apt-get install nodejs npm"
    echo "    - nvm: nvm install 22 (https://github.com/nvm-sh/nvm), or the official binaries from nodejs.org"
    echo "    - NodeSource's Debian packages (see nodejs.org/en/download/package-manager)"
    echo "  then run this script again."
  } >&2
  exit 1
fi

# an ordinary user's PATH lacks the sbin directories, where mkfs.btrfs, losetup, debugfs and setcap live: look there too,
# so that a user after the admin's install is not sent to sudo for tools that are there
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
need_apt=()
command -v mkfs.btrfs >/dev/null || need_apt+=(btrfs-progs)
command -v bwrap >/dev/null || need_apt+=(bubblewrap)
command -v newuidmap >/dev/null || need_apt+=(uidmap)   # rootless builds (docs/isolation.md)
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
# docs/service-image.md (and its test) falls back to runc where crun refuses the host (hybrid cgroups)
command -v runc >/dev/null || need_apt+=(runc)
# Debian images: apt verifies the archive with Debian's keyring (strata deb-lock); dpkg-deb extracts the essential
# packages of a bootstrap
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need_apt+=(debian-archive-keyring)
command -v dpkg-deb >/dev/null || need_apt+=(dpkg)
# the Debian benchmarks' baselines (bench/debian.bench.ts): mmdebstrap, and dpkg-scanpackages for its local repository
command -v mmdebstrap >/dev/null || need_apt+=(mmdebstrap)
command -v dpkg-scanpackages >/dev/null || need_apt+=(dpkg-dev)
PY="${STRATA_PYTHON:-python3}"
if ! "$PY" -c 'import starlark' 2>/dev/null && ! "$PY" -m pip --version >/dev/null 2>&1; then
  need_apt+=(python3-pip)
fi
if [ "${#need_apt[@]}" -gt 0 ]; then
  $SUDO apt-get "${APT_WAIT[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${APT_WAIT[@]}" install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! "$PY" -c 'import starlark' 2>/dev/null; then
  # Debian's own python refuses user installs (PEP 668) unless told otherwise.
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>/dev/null \
    || "$PY" -m pip install --quiet --disable-pip-version-check --break-system-packages -r requirements.txt
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# tsc only when something it compiles changed since the last build (a new, edited or deleted file under src/, bench/ or
# runner/ changes a file's or a directory's mtime); a no-op run then costs no compile.
stamp=dist/.strata-build-stamp
if [ ! -f "$stamp" ] || [ ! -f dist/runner/main.js ] \
  || [ -n "$(find src runner bench packages bin/bundle.mjs tsconfig.json package.json package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  touch "$stamp.next"
  npm run --silent build
  mv "$stamp.next" "$stamp"
fi

# [strata] debian_mirror: the Debian archive the Debian rules download from, taken from this host's apt sources
# and kept in .buckconfig.local (machine-local, not committed; Buck2 and the local driver both read it).
if ! grep -qs '^[[:space:]]*debian_mirror[[:space:]]*=' .buckconfig.local; then
  mirror=$(bash scripts/debian-mirror.sh)
  printf '\n[strata]\n  debian_mirror = %s\n' "$mirror" >> .buckconfig.local
fi
