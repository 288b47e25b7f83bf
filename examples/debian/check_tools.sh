#!/bin/sh
# The child's packages work: libraries found (ldconfig trigger), alternatives set, capabilities kept, the system
# user of uuid-runtime's postinst present, conffiles registered, and dpkg's database clean.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(hello)" = "Hello, world!" ] || fail "hello does not greet"
[ "$(echo '{"a":[1,2,3]}' | jq -c '.a | length')" = 3 ] || fail "jq does not run"
[ "$(readlink -f /usr/bin/awk)" = /usr/bin/mawk ] || fail "awk is not the mawk alternative"
[ "$(echo 'x y' | awk '{print $2}')" = y ] || fail "awk does not run"
[ "$(readlink -f /usr/bin/pager)" = /usr/bin/less ] || fail "pager is not the less alternative"
less --version >/dev/null || fail "less does not run"
getcap /usr/bin/ping | grep -q 'cap_net_raw=ep' || fail "ping lost its file capability: $(getcap /usr/bin/ping)"
getent passwd uuidd >/dev/null || fail "uuidd user missing"
getent group uuidd >/dev/null || fail "uuidd group missing"
[ "$(stat -c %U /run/uuidd 2>/dev/null || stat -c %U /var/lib/libuuid)" = uuidd ] || fail "uuidd does not own its directory"
uuidgen | grep -Eq '^[0-9a-f-]{36}$' || fail "uuidgen does not run"
grep -q '^tcp' /etc/protocols || fail "netbase's /etc/protocols missing"
dpkg-query -W -f='${Conffiles}\n' netbase | grep -q /etc/services || fail "netbase's conffiles not registered"
[ -z "$(dpkg --audit)" ] || fail "dpkg --audit is not clean"
for p in hello jq less mawk iputils-ping uuid-runtime netbase; do
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p")" = "ii " ] || fail "$p is not installed"
done
echo ok
