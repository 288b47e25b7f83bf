#!/bin/sh
# $1: the expected content of /output/FOO
set -eu
test "$(cat /output/FOO)" = "$1" || { echo "/output/FOO: expected '$1', found '$(cat /output/FOO)'"; exit 1; }
test ! -e /output/_temp_foo || { echo "/output/_temp_foo should have been removed"; exit 1; }
# the genrule ran as nobody, so its output belongs to nobody
test "$(stat -c %u:%g /output/FOO)" = "65534:65534" || { echo "owner of /output/FOO: $(stat -c %u:%g /output/FOO)"; exit 1; }
echo ok
