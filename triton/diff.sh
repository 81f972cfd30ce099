#!/usr/bin/env bash
# npm run triton:diff: the differential against the real Triton (triton/diff.py). Makes the pinned
# Triton environment first when it is missing (triton/setup.sh). Extra arguments go to diff.py
# (--short: the CI set; --only NAME,...). Exit 0: every difference explained; 1: not; 2: setup.
set -uo pipefail
cd "$(dirname "$0")/.."
venv="${SEQSIM_TRITON_VENV:-.venv-triton}"
if [ ! -x "$venv/bin/python" ]; then
  triton/setup.sh || { echo "triton:diff: triton/setup.sh failed: the real Triton cannot run here" >&2; exit 2; }
fi
exec "$venv/bin/python" triton/diff.py "$@"
