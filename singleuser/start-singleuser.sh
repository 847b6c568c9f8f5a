#!/bin/bash
# Container start: run the image's start hooks as the user, then the server.
# Hooks, as in jupyter/docker-stacks: files in /usr/local/bin/before-notebook.d/,
# in name order; *.sh files are sourced (so they can export variables for the
# server and its kernels), other executables are run.
set -e
for hook in /usr/local/bin/before-notebook.d/*; do
  [ -e "$hook" ] || continue
  case "$hook" in
    *.sh) echo "start-singleuser: sourcing $hook"; source "$hook" ;;
    *) if [ -x "$hook" ]; then echo "start-singleuser: running $hook"; "$hook"; fi ;;
  esac
done
exec "$@"
