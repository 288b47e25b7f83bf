#!/bin/sh
# The bootstrapped base: a Debian system whose package database is consistent.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(readlink /bin)" = usr/bin ] || fail "/bin is not the merged-/usr link"
[ -z "$(dpkg --audit)" ] || fail "dpkg --audit is not clean"
dpkg -l dpkg base-files bash coreutils | grep -q '^ii  dpkg ' || fail "dpkg -l does not list dpkg as installed"
grep -q '^ID=debian' /etc/os-release || fail "/etc/os-release is not Debian's"
grep -q '^root:' /etc/passwd || fail "no root user"
[ ! -e /usr/sbin/policy-rc.d ] || fail "the build's policy-rc.d was left behind"
[ ! -e /var/log/dpkg.log ] || fail "dpkg.log was left behind"
echo ok
