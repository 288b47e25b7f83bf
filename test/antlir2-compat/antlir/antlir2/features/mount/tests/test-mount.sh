#!/bin/bash
# antlir2's mount test: a layer mount, and a mounted layer's own mount nested inside it (at run time)
set -ex

mountpoint() {
    awk '{print $5}' /proc/self/mountinfo | grep -qx "$1"
}

echo "Checking /mount/in/parent"
mountpoint /mount/in/parent
test -f /mount/in/parent/empty

# Nested layer mounts
echo "Checking /mount/in/child/mount/in/parent"
mountpoint /mount/in/child/mount/in/parent
test -f /mount/in/child/mount/in/parent/empty
