#!/bin/sh
set -eu
test "$(id -u)" = 65534
test "$USER" = nobody
test "$GREETING" = hello
test "$PATH" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# nothing but loopback
test "$(ls /sys/class/net 2>/dev/null || ip -o link | cut -d: -f2 | tr -d ' ')" = lo
if wget -q -T 2 -O /dev/null http://example.com/ 2>/dev/null; then echo "network reachable"; exit 1; fi
echo ok
