#!/usr/bin/env bash
# Starts the bundled tritonserver on free loopback ports with a model repository, prints one JSON
# line with the ports once it is ready, and stops it cleanly on Ctrl-C / SIGTERM.
#   triton/start.sh --repository DIR [--log-file F] [--env K=V ...] [-- EXTRA_TRITONSERVER_ARGS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${SEQSIM_TRITON_VENV:-$root/.venv-triton}"
if [ ! -x "$venv/bin/python" ]; then
  echo "start: no Triton environment at $venv; run triton/setup.sh" >&2
  exit 2
fi
exec "$venv/bin/python" "$root/triton/tritonserver.py" "$@"
