"""What the differential (triton/diff.py) and the real-Triton scenario tests share: running the seqsim CLI,
stretching a scenario's times, and warming every slot of a served model before timing-dependent cases."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tritonserver import SetupError

ROOT = Path(__file__).resolve().parents[1]
# Sequence ids no example or generated workload uses.
WARM_UP_ID = 1 << 40
# The scenario fields that hold times in microseconds, per step.
STEP_TIME_KEYS = ("gap_us", "timeout_us", "cancel_after_us")


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise SetupError("node is not on PATH: seqsim needs Node.js 20")
    return found


def seqsim(*args: str, timeout: int = 120, ok: tuple[int, ...] | None = (0,)) -> subprocess.CompletedProcess:
    """Runs the CLI from this checkout; an exit status outside `ok` (None: any) raises SetupError with its last output line."""
    run = subprocess.run([node(), str(ROOT / "cli" / "bin.mjs"), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if ok is not None and run.returncode not in ok:
        last = (run.stderr or run.stdout).strip().splitlines()[-1:]
        raise SetupError(f"seqsim {' '.join(args)} exited {run.returncode}: {last}")
    return run


def scale_times(scenario: dict, k: int) -> None:
    """Multiplies the scenario's times by k: the same story, with its timing-dependent edges k times
    further from real jitter (a loaded host delays a request by several milliseconds)."""
    if k == 1:
        return
    batching = scenario["model"]["sequence_batching"]
    batching["max_sequence_idle_microseconds"] = batching.get("max_sequence_idle_microseconds", 1_000_000) * k
    for sequence in scenario["sequences"]:
        if "start_us" in sequence:
            sequence["start_us"] *= k
        for step in sequence["steps"]:
            for key in STEP_TIME_KEYS:
                if key in step:
                    step[key] *= k


def warm_up(http_url: str, model: str, config: dict) -> None:
    """A sequence started in every slot of every instance, then ended: a Python model instance's first
    execution takes a hundred milliseconds or more (its stub warms up), which would put timing-dependent
    outcomes on the other side of the edge. `config` is the model config as a scenario holds it."""
    import numpy as np
    import tritonclient.http as httpclient
    from tritonclient.utils import InferenceServerException

    groups = config.get("instance_group") or [{"count": 1}]
    instances = sum(group.get("count", 1) * max(1, len(group.get("gpus", []))) for group in groups)
    batching = config["sequence_batching"]
    slots = batching["oldest"].get("max_candidate_sequences", 1) if "oldest" in batching else max(1, config.get("max_batch_size", 0))
    client = httpclient.InferenceServerClient(http_url)
    shape = [1, 1] if config.get("max_batch_size", 0) > 0 else [1]
    first = (config.get("input") or [{"name": "INPUT", "data_type": "TYPE_INT32"}])[0]
    tensor = httpclient.InferInput(first["name"], shape, first["data_type"].removeprefix("TYPE_"))
    tensor.set_data_from_numpy(np.zeros(shape, dtype=np.int32 if first["data_type"] == "TYPE_INT32" else np.float32))
    ids = [WARM_UP_ID + k for k in range(instances * slots)]
    for sid in ids:
        client.infer(model, [tensor], sequence_id=sid, sequence_start=True)
    for sid in ids:
        try:
            client.infer(model, [tensor], sequence_id=sid, sequence_end=True)
        except InferenceServerException:
            pass  # a short max_sequence_idle_microseconds may have ended it during the slow first execution
