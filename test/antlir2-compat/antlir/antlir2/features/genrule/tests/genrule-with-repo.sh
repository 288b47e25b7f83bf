#!/bin/bash
# is the command running inside the repository (bind_repo_ro)?
set -ex
if [ -d ".git" ] || [ -d ".hg" ] || [ -d ".sl" ]; then
    echo "in repo" > /status
else
    echo "not in repo" > /status
fi
