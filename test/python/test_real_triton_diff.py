"""The differential against the real Triton (triton/diff.py, `npm run triton:diff`), its short CI set:
the shipped examples, the L0_sequence_batcher ports and a short stress run, each driven with
`seqsim drive --compare-sim` against the bundled tritonserver, and simulated. Passes only when every
difference is explained; also checks that the table covers every short case, that each run compared
something, and that the test hook made a batch size comparable.
Skips without the Triton environment (triton/setup.sh), or with SEQSIM_TRITON_UNAVAILABLE's reason.
Run: npm run triton:test (or .venv-triton/bin/python -m pytest test/python/test_real_triton_diff.py)
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "triton"))

from tritonserver import unavailable_reason  # noqa: E402

if unavailable_reason() is not None:
    pytest.skip(unavailable_reason(), allow_module_level=True)

from diff import CASES  # noqa: E402

DIFF_TIMEOUT_S = 600


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("triton-diff")
    run = subprocess.run(
        [sys.executable, str(ROOT / "triton" / "diff.py"), "--short", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=DIFF_TIMEOUT_S
    )
    return run, json.loads((out / "results.json").read_text()) if (out / "results.json").exists() else []


def test_every_difference_is_explained(short_run):
    run, _ = short_run
    assert run.returncode == 0, f"triton/diff.py --short exited {run.returncode}:\n{run.stdout}\n{run.stderr[-3000:]}"


def test_the_table_covers_every_short_case_and_each_http_run_compared_something(short_run):
    _, rows = short_run
    http = {row["case"]: row for row in rows if row["protocol"] == "http"}
    assert set(http) == {case.name for case in CASES if case.short}
    for name, row in http.items():
        assert row["skipped"] == "", f"{name}: {row['skipped']}"
        assert row["compared"] > 0, f"{name}: nothing compared ({row['excluded']})"


def test_the_test_hook_makes_batch_sizes_comparable_and_equal(short_run):
    _, rows = short_run
    hooked = [row for row in rows if row["case"] == "l0-four-starts-one-batch" and not row["skipped"]]
    assert hooked and all(row["batches"] == "=" for row in hooked)


def test_the_known_difference_is_found_and_explained(short_run):
    _, rows = short_run
    misuse = [row for row in rows if row["case"] == "misuse" and not row["skipped"]]
    assert misuse
    for row in misuse:
        assert row["differences"], "Triton 2.51 accepts a string id on a UINT64 CORRID: the differential must see it"
        assert all(diff["explained"] for diff in row["differences"])
