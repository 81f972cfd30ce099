#!/usr/bin/env bash
# Runs the tests against the real Triton (test/python/test_real_triton*.py) in the Triton
# environment that triton/setup.sh makes; extra arguments go to pytest (e.g. -k oldest, --junitxml F).
# With SEQSIM_TRITON_UNAVAILABLE set (CI, when setup failed) they run only to skip with that reason.
set -uo pipefail
cd "$(dirname "$0")/.."
venv="${SEQSIM_TRITON_VENV:-.venv-triton}"
python="$venv/bin/python"
if [ ! -x "$python" ]; then
  if [ -z "${SEQSIM_TRITON_UNAVAILABLE:-}" ]; then
    echo "triton:test: no Triton environment at $venv; run npm run triton:setup" >&2
    exit 2
  fi
  python=.venv/bin/python
fi
exec "$python" -m pytest test/python/test_real_triton.py test/python/test_real_triton_scenarios.py test/python/test_real_triton_diff.py -q -p no:cacheprovider "$@"
