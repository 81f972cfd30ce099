#!/usr/bin/env bash
# Makes (or refreshes) .venv-triton: the pinned nvidia-pytriton wheel, whose bundled tritonserver
# (Triton 2.51.0) with the Python backend seqsim starts directly, plus tritonclient and pytest.
# Idempotent: pip skips what is already installed. Then checks that the binary and the Python
# backend stub find their shared libraries. Set SEQSIM_TRITON_VENV to use another folder.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SEQSIM_TRITON_VENV:-.venv-triton}"
python="${PYTHON:-python3}"
started=$(date +%s)
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r triton/requirements.txt
# Copies the stub for the venv's Python into $venv/triton-backends/python (PyTriton does the same).
"$venv/bin/python" - <<'PY'
import sys
sys.path.insert(0, "triton")
from tritonserver import Install, venv_dir
install = Install(venv_dir())
backends = install.prepare_backends()
print(f"setup: tritonserver {install.binary}")
print(f"setup: backends {backends} (Python {install.python_version} stub)")
PY
site=$("$venv/bin/python" -c 'import pytriton, pathlib; print(pathlib.Path(pytriton.__file__).parent.parent)')
missing=$(LD_LIBRARY_PATH="$site/nvidia_pytriton.libs" ldd "$site/pytriton/tritonserver/bin/tritonserver" "$venv"/triton-backends/python/triton_python_backend_stub | grep "not found" || true)
if [ -n "$missing" ]; then
  echo "setup: missing shared libraries (the stub needs libpython3.X of the venv's Python version; on Debian: apt-get install libpython3.X):" >&2
  echo "$missing" >&2
  exit 1
fi
echo "setup: ready in $(( $(date +%s) - started )) s"
