#!/bin/bash
# what antlir2's genrule test does: consume /empty, copy the $(location) argument, make a small tree
set -ex
rm /empty
cp "$1" /empty-copied-from-location-macro
mkdir -p /foo/bar
echo qux > /foo/bar/baz
