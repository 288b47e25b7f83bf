#!/bin/sh
# stands in for a server that binds port 80 (its file capability allows it without root)
echo "serving on port 80"
