"""The shipped example scenarios against the real Triton (2.51.0, from nvidia-pytriton 0.7.0, CPU),
serving what `seqsim repo <scenario> --backend python` exports, each request's outcome (its output,
or its error's status and message) compared with what seqsim's simulator predicts for the same
scenario (`seqsim run <scenario> --trace`, its `response` lines).

Each case plays a copy of an example: its executor latency is the case's `--execute-delay` (the
simulated and the real model compute for as long), and a second export of one example gets a model
name suffix so that all share one repository and one server. The scenario's sequences are played
with tritonclient over HTTP and gRPC in real time: one thread (and client) per sequence, each step
sent `gap_us` after the previous answer, `timeout_us` as the request's `timeout`. Real time has
jitter where the simulator has none, so sequences start at least START_SPACING_S apart (they reach
Triton in the scenario's order), and each case's timing keeps its timing-dependent outcomes (a
backlogged request's timeout, the idle reaper, the backlog trap) milliseconds away from the edge.
Skips without the Triton environment (triton/setup.sh), or with SEQSIM_TRITON_UNAVAILABLE's reason.
Run: npm run triton:test (or .venv-triton/bin/python -m pytest test/python/test_real_triton_scenarios.py)
"""

import json
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "triton"))

import seqsim_harness as harness  # noqa: E402
from seqsim_harness import scale_times, warm_up  # noqa: E402
from tritonserver import TritonServer, unavailable_reason  # noqa: E402

if unavailable_reason() is not None:
    pytest.skip(unavailable_reason(), allow_module_level=True)

np = pytest.importorskip("numpy")
httpclient = pytest.importorskip("tritonclient.http")
grpcclient = pytest.importorskip("tritonclient.grpc")
from tritonclient.utils import InferenceServerException  # noqa: E402

START_SPACING_S = 0.005
ANSWER_TIMEOUT_S = 30

# seqsim's error codes (Triton's TRITONSERVER_Error codes) as each protocol reports them.
STATUS = {
    "INVALID_ARG": {"http": "400", "grpc": "StatusCode.INVALID_ARGUMENT"},
    "UNAVAILABLE": {"http": "503", "grpc": "StatusCode.UNAVAILABLE"},
    "NOT_FOUND": {"http": "404", "grpc": "StatusCode.NOT_FOUND"},
    "UNSUPPORTED": {"http": "501", "grpc": "StatusCode.UNIMPLEMENTED"},
    "CANCELLED": {"http": "400", "grpc": "StatusCode.CANCELLED"},
}


@dataclass(frozen=True)
class Case:
    example: str  # under sim/examples
    state_key: str
    execute_delay_us: int  # model.py's --execute-delay, and the copy's executor latency
    why: str
    starts_us: tuple = ()  # (sequence id, start_us) changed in the copy (before scaling)
    name: str = ""  # the served model's name suffix (one scenario exported twice shares the repository)
    scale: int = 1  # every time of the copy (starts, gaps, timeouts, the idle timeout) multiplied: its edges further from real jitter

    @property
    def label(self):
        return f"{self.example}[{self.state_key}{', ' + self.name if self.name else ''}]"


CASES = [
    Case("direct-basic", "slot", 1000, "Direct, 2 instances x 2 slots, integer and string ids: per-slot state over padded batches"),
    Case("oldest-basic", "corrid", 1000, "Oldest, KIND_GPU written as KIND_CPU (--cpu), dyna: END adds the CORRID"),
    Case("backlog-fill", "slot", 20_000, "1 slot: three sequences wait in the backlog; one's request times out there (1.5 ms) behind 60 ms of work"),
    Case("backlog-fill", "corrid", 20_000, "the same with the CORRID-keyed state (an added UINT64 CORRID)", name="corrid"),
    Case(
        "idle-timeout",
        "slot",
        1000,
        "times x 5: the reaper frees 7's slot (100 ms idle) during its 250 ms gap; 8, backlogged from 60 ms, then runs to its END",
        starts_us=((8, 12_000),),
        scale=5,
    ),
    Case(
        "idle-timeout",
        "corrid",
        20_000,
        "the backlog trap: 8 waited 15 ms in the backlog, and the reaper ends it 5 ms into its first (20 ms) execution: its second request gets the START error",
        name="trap",
    ),
]


def seqsim(*args):
    """The CLI; exit 1 (a violation) is an answer here too."""
    return harness.seqsim(*args, ok=(0, 1))


def scenario_file(case, folder):
    """A copy of the example as the case plays it: the executor's latency is model.py's execute delay (both
    sides compute for as long), some sequences start elsewhere, and the model may carry a name suffix."""
    scenario = json.loads((ROOT / "sim" / "examples" / f"{case.example}.json").read_text())
    scenario["executor"] = {"latency_us": case.execute_delay_us}
    if case.name:
        scenario["model"]["name"] += f"_{case.name}"
    starts = dict(case.starts_us)
    for sequence in scenario["sequences"]:
        if sequence["id"] in starts:
            sequence["start_us"] = starts[sequence["id"]]
    scale_times(scenario, case.scale)
    copy = folder / f"{case.example}{'-' + case.name if case.name else ''}.json"
    copy.write_text(json.dumps(scenario))
    return copy


def predicted(trace_path):
    """The scenario (normalised, from the trace header) and each request's outcome, keyed (sequence id, step)."""
    lines = [json.loads(line) for line in Path(trace_path).read_text().splitlines()]
    outcomes = {}
    for event in lines[1:]:
        if event["type"] != "response":
            continue
        key = (json.dumps(event["sequence"]), event["step"])
        error = event.get("error")
        outcomes[key] = ("ok", event["output"]) if error is None else ("error", error["code"], error["message"])
    return lines[0]["scenario"], outcomes


@pytest.fixture(scope="module")
def served(tmp_path_factory, built):
    """One repository with every case's export, one server on it, and seqsim's predictions per case."""
    folder = tmp_path_factory.mktemp("scenarios")
    repository = folder / "repository"
    cases = {}
    for case in CASES:
        scenario = scenario_file(case, folder)
        exported = json.loads(
            seqsim("repo", str(scenario), "-o", str(repository), "--backend", "python", "--cpu", "--state-key", case.state_key, "--execute-delay", f"{case.execute_delay_us / 1000}ms", "--json").stdout
        )
        assert exported["state_key"] == case.state_key
        trace = folder / f"{case.label}.jsonl"
        seqsim("run", str(scenario), "--trace", str(trace))
        normalized, outcomes = predicted(trace)
        cases[case.label] = (exported["model"], normalized, outcomes)
    with TritonServer(repository, log_file=folder / "tritonserver.log") as server:
        for model, normalized, _ in cases.values():
            warm_up(server.http_url, model, normalized["model"])
        yield server, cases


def sequence_id(written):
    return int(written["u64"]) if isinstance(written, dict) else written


class Player:
    """Plays a normalised scenario's sequences against a server and records every request's outcome."""

    def __init__(self, server, protocol, model, scenario):
        self.server = server
        self.protocol = protocol
        self.module = httpclient if protocol == "http" else grpcclient
        self.model = model
        self.scenario = scenario
        first_input = scenario["model"]["input"][0]
        self.input_name = first_input["name"]
        self.input_type = first_input["data_type"].removeprefix("TYPE_")
        self.output_name = scenario["model"]["output"][0]["name"]
        self.numpy_type = np.int32 if first_input["data_type"] == "TYPE_INT32" else np.float32
        self.batched = scenario["model"].get("max_batch_size", 0) > 0
        self.outcomes = {}
        self.lock = threading.Lock()

    def _client(self):
        return self.module.InferenceServerClient(self.server.http_url if self.protocol == "http" else self.server.grpc_url)

    def _send(self, client, sid, step):
        shape = [1, 1] if self.batched else [1]
        tensor = self.module.InferInput(self.input_name, shape, self.input_type)
        tensor.set_data_from_numpy(np.full(shape, step["value"], dtype=self.numpy_type))
        options = {"timeout": step["timeout_us"]} if step.get("timeout_us") else {}
        try:
            result = client.infer(self.model, [tensor], sequence_id=sid, sequence_start=step["start"], sequence_end=step["end"], **options)
            return ("ok", result.as_numpy(self.output_name).flatten()[0].item())
        except InferenceServerException as error:
            return ("error", error.status(), error.message())

    def _play(self, sequence, order, ready):
        # Each thread makes (and warms) its own client: a gevent HTTP client stays in its thread, and
        # making one can take tens of ms, which would reorder the starts.
        client = self._client()
        client.is_server_live()
        ready.wait()
        time.sleep(max(0.0, self.t0 + max(sequence.get("start_us", 0) / 1e6, order * START_SPACING_S) - time.monotonic()))
        sid = sequence_id(sequence["id"])
        for index, step in enumerate(sequence["steps"]):
            if index > 0 and step.get("gap_us"):
                time.sleep(step["gap_us"] / 1e6)
            outcome = self._send(client, sid, step)
            with self.lock:
                self.outcomes[(json.dumps(sequence["id"]), index)] = outcome

    def play(self):
        sequences = sorted(self.scenario["sequences"], key=lambda s: s.get("start_us", 0))
        ready = threading.Barrier(len(sequences) + 1, action=lambda: setattr(self, "t0", time.monotonic() + 0.02))
        threads = [threading.Thread(target=self._play, args=(sequence, order, ready), daemon=True) for order, sequence in enumerate(sequences)]
        for thread in threads:
            thread.start()
        ready.wait(ANSWER_TIMEOUT_S)
        for thread in threads:
            thread.join(ANSWER_TIMEOUT_S)
            assert not thread.is_alive(), f"no answer within {ANSWER_TIMEOUT_S} s"
        return self.outcomes


def as_seen(protocol, outcome):
    """seqsim's prediction as the client sees it: an output, or the protocol's status and the message."""
    if outcome[0] == "ok":
        return outcome
    code, message = outcome[1], outcome[2]
    return ("error", STATUS.get(code, {}).get(protocol, code), message)


@pytest.mark.parametrize("protocol", ["http", "grpc"])
@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_real_triton_answers_as_seqsim_predicts(served, case, protocol):
    server, cases = served
    model, scenario, outcomes = cases[case.label]
    seen = Player(server, protocol, model, scenario).play()
    expected = {key: as_seen(protocol, outcome) for key, outcome in outcomes.items()}
    assert set(seen) == set(expected)
    differing = {key: (seen[key], expected[key]) for key in expected if seen[key] != expected[key]}
    assert differing == {}, f"{case.why}: (real Triton, seqsim) per (sequence, step)"


def test_the_cases_cover_errors_and_both_state_keys(served):
    _, cases = served
    all_outcomes = [outcome for _, _, outcomes in cases.values() for outcome in outcomes.values()]
    assert {outcome[1] for outcome in all_outcomes if outcome[0] == "error"} == {"INVALID_ARG", "UNAVAILABLE"}
    assert {case.state_key for case in CASES} == {"slot", "corrid"}
