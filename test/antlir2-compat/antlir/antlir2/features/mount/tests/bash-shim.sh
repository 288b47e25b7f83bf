#!/bin/sh
# stands in for bash in a busybox image: runs the script with /bin/sh
exec /bin/sh "$@"
