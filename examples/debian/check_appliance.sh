#!/bin/sh
# The build appliance holds the tools builds run, from the lock: dpkg, tar, the compressors and the packers.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in dpkg dpkg-deb tar zstd xz pigz cpio mksquashfs unsquashfs mkfs.ext4 debugfs dumpe2fs mkfs.erofs; do
  command -v "$tool" >/dev/null || fail "$tool missing"
done
mkdir -p /tmp/sq/d && echo hi > /tmp/sq/d/f
mksquashfs /tmp/sq/d /tmp/sq/img -quiet -noappend >/dev/null || fail "mksquashfs does not run"
unsquashfs -d /tmp/sq/out /tmp/sq/img >/dev/null && [ "$(cat /tmp/sq/out/f)" = hi ] || fail "unsquashfs does not give the file back"
[ -z "$(dpkg --audit)" ] || fail "dpkg --audit is not clean"
echo ok
