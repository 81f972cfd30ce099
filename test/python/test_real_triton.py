"""Real Triton (the tritonserver bundled in nvidia-pytriton 0.7.0 = Triton 2.51.0, CPU only) running
seqsim's Python-backend accumulators: outputs, exact error strings, cancellation, and the
TRITONSERVER_DELAY_SCHEDULER test hook. Skips when the Triton environment is absent
(make it with triton/setup.sh). Run: .venv-triton/bin/python -m pytest test/python/test_real_triton.py
"""

import json
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "triton"))
sys.path.insert(0, str(ROOT / "triton" / "python-backend"))

from tritonserver import TritonServer, unavailable_reason  # noqa: E402

if unavailable_reason() is not None:
    pytest.skip(unavailable_reason(), allow_module_level=True)

np = pytest.importorskip("numpy")
httpclient = pytest.importorskip("tritonclient.http")
grpcclient = pytest.importorskip("tritonclient.grpc")
from tritonclient.utils import InferenceServerException  # noqa: E402

import make_repo  # noqa: E402

SLOTS = 4
SLOW_MS = 300  # execute time of the *_slow models: long enough to queue requests behind a running one


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    repo = tmp_path_factory.mktemp("repo")
    make_repo.write_repository(repo, make_repo.Options(max_batch_size=SLOTS))
    make_repo.write_repository(repo, make_repo.Options(max_batch_size=SLOTS, execute_delay_ms=SLOW_MS), ["accumulator_direct"], "_slow")
    make_repo.write_repository(repo, make_repo.Options(max_batch_size=SLOTS, idle_us=200_000), ["accumulator_direct"], "_idle")
    make_repo.write_repository(repo, make_repo.Options(max_batch_size=2, instances=2), ["accumulator_direct"], "_2x2")
    with TritonServer(repo, log_file=tmp_path_factory.mktemp("log") / "tritonserver.log") as running:
        yield running


@pytest.fixture(scope="module")
def delayed_server(tmp_path_factory):
    """A server whose Direct and Oldest batchers wait until 4 requests are queued (Triton's QA hook)."""
    repo = tmp_path_factory.mktemp("repo-delayed")
    make_repo.write_repository(repo, make_repo.Options(max_batch_size=SLOTS), ["accumulator_direct", "accumulator_oldest_dyna"])
    with TritonServer(repo, env={"TRITONSERVER_DELAY_SCHEDULER": str(SLOTS)}) as running:
        yield running


@pytest.fixture(scope="module")
def backlog_delayed_server(tmp_path_factory):
    """Direct batchers wait for 4 queued requests AND 1 request in the backlog."""
    repo = tmp_path_factory.mktemp("repo-backlog-delayed")
    make_repo.write_repository(repo, make_repo.Options(max_batch_size=SLOTS), ["accumulator_direct"])
    env = {"TRITONSERVER_DELAY_SCHEDULER": str(SLOTS), "TRITONSERVER_BACKLOG_DELAY_SCHEDULER": "1"}
    with TritonServer(repo, env=env) as running:
        yield running


class Client:
    """One protocol's client with the calls the tests need; errors come back as (status, message)."""

    def __init__(self, protocol, server):
        self.protocol = protocol
        self.module = httpclient if protocol == "http" else grpcclient
        self.client = self.module.InferenceServerClient(server.http_url if protocol == "http" else server.grpc_url)

    def inputs(self, value, batch=1):
        tensor = self.module.InferInput("INPUT", [batch, 1], "INT32")
        tensor.set_data_from_numpy(np.full((batch, 1), value, dtype=np.int32))
        return [tensor]

    def infer(self, model, value, sequence_id, start=False, end=False, batch=1, **options):
        result = self.client.infer(model, self.inputs(value, batch), sequence_id=sequence_id, sequence_start=start, sequence_end=end, **options)
        return int(result.as_numpy("OUTPUT")[0][0])

    def error(self, model, value, sequence_id, **options):
        with pytest.raises(InferenceServerException) as caught:
            self.infer(model, value, sequence_id, **options)
        return caught.value.status(), caught.value.message()

    def sequence(self, model, sequence_id, values):
        return [self.infer(model, v, sequence_id, start=i == 0, end=i == len(values) - 1) for i, v in enumerate(values)]


# Triton's status per protocol for each error kind (HTTP code; gRPC status code name).
INVALID = {"http": "400", "grpc": "StatusCode.INVALID_ARGUMENT"}
NOT_FOUND = {"http": "404", "grpc": "StatusCode.NOT_FOUND"}
UNAVAILABLE = {"http": "503", "grpc": "StatusCode.UNAVAILABLE"}
UNSUPPORTED = {"http": "501", "grpc": "StatusCode.UNIMPLEMENTED"}

PROTOCOLS = ["http", "grpc"]
_ids = iter(range(1000, 10**6))


def fresh_id():
    return next(_ids)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("model", "last"),
    [("accumulator_direct", 45), ("accumulator_direct_dyna", 45 + 52), ("accumulator_oldest_dyna", 45 + 52)],
)
def test_sequence_1_to_9_accumulates(server, protocol, model, last):
    client = Client(protocol, server)
    assert client.sequence(model, 52, list(range(1, 10))) == [1, 3, 6, 10, 15, 21, 28, 36, last]


@pytest.mark.parametrize("model", ["accumulator_direct", "accumulator_oldest_dyna"])
def test_interleaved_sequences_keep_their_own_state(server, model):
    client = Client("http", server)
    a, b = fresh_id(), fresh_id()
    assert client.infer(model, 1, a, start=True) == 1
    assert client.infer(model, 100, b, start=True) == 100
    assert client.infer(model, 2, a) == 3
    assert client.infer(model, 200, b) == 300
    end_term = a if model.endswith("dyna") else 0
    assert client.infer(model, 4, a, end=True) == 7 + end_term
    assert client.infer(model, 400, b, end=True) == 700 + (b if model.endswith("dyna") else 0)


def test_start_on_an_active_id_restarts_the_sum_and_logs_a_conflict(server):
    client = Client("http", server)
    sid = fresh_id()
    client.infer("accumulator_direct", 1, sid, start=True)
    client.infer("accumulator_direct", 2, sid)
    assert client.infer("accumulator_direct", 10, sid, start=True) == 10
    client.infer("accumulator_direct", 0, sid, end=True)
    expected = (
        f"sequence {sid} for model 'accumulator_direct' has a conflict. The previous sequence did not end before this sequence start. "
        "Previous sequence will be terminated early."
    )
    assert expected in server.log_text()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_error_strings(server, protocol):
    client = Client(protocol, server)
    sid = fresh_id()
    assert client.error("accumulator_direct", 1, sid) == (
        INVALID[protocol],
        f"inference request for sequence {sid} to model 'accumulator_direct' must specify the START flag on the first request of the sequence",
    )
    assert client.error("no_such_model", 1, sid, start=True) == (NOT_FOUND[protocol], "Request for unknown model: 'no_such_model' is not found")
    zero_id = "inference request to model 'accumulator_direct' must specify a non-zero or non-empty correlation ID"
    assert client.error("accumulator_direct", 1, 0, start=True) == (INVALID[protocol], zero_id)
    assert client.error("accumulator_direct", 1, "", start=True) == (INVALID[protocol], zero_id)
    assert client.error("accumulator_direct", 1, sid, start=True, batch=2) == (
        INVALID[protocol],
        "inference request to model 'accumulator_direct' must specify batch-size 1 due to requirements of sequence batcher",
    )
    assert client.error("accumulator_oldest_dyna", 1, "x" * 129, start=True) == (
        UNSUPPORTED[protocol],
        "string correlation ID cannot be longer than 128 characters",
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_after_end_a_non_start_request_gets_the_start_error(server, protocol):
    client = Client(protocol, server)
    sid = fresh_id()
    client.sequence("accumulator_direct", sid, [1, 2])
    assert client.error("accumulator_direct", 3, sid)[1].endswith("must specify the START flag on the first request of the sequence")


def test_idle_timeout_releases_the_sequence(server):
    client = Client("http", server)
    sid = fresh_id()
    client.infer("accumulator_direct_idle", 1, sid, start=True)
    time.sleep(1.0)  # 5x the model's 200 ms max_sequence_idle_microseconds
    assert client.error("accumulator_direct_idle", 2, sid) == (
        INVALID["http"],
        f"inference request for sequence {sid} to model 'accumulator_direct_idle' must specify the START flag on the first request of the sequence",
    )


def hold_all_slots(client, model):
    ids = [fresh_id() for _ in range(SLOTS)]
    for sid in ids:
        client.infer(model, 1, sid, start=True)
    return ids


def release(client, model, ids):
    for sid in ids:
        client.infer(model, 0, sid, end=True)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_backlog_request_timeout(server, protocol):
    client = Client(protocol, server)
    held = hold_all_slots(client, "accumulator_direct")
    try:
        sid = fresh_id()
        assert client.error("accumulator_direct", 1, sid, start=True, timeout=100_000) == (
            UNAVAILABLE[protocol],
            "timeout of the corresponding sequence has been expired",
        )
        assert client.error("accumulator_direct", 2, sid)[1].endswith("must specify the START flag on the first request of the sequence")
    finally:
        release(client, "accumulator_direct", held)


class Responses:
    """Collects gRPC async_infer callbacks by name."""

    def __init__(self):
        self.done = {}
        self.lock = threading.Condition()

    def callback(self, name):
        def on_response(result, error):
            with self.lock:
                self.done[name] = ("error", error.status(), error.message()) if error else ("ok", int(result.as_numpy("OUTPUT")[0][0]))
                self.lock.notify_all()

        return on_response

    def wait(self, names, timeout_s=10.0):
        with self.lock:
            assert self.lock.wait_for(lambda: all(n in self.done for n in names), timeout_s), f"no responses for {names}: {self.done}"
        return [self.done[n] for n in names]


def test_cancelling_a_queued_request_cancels_the_rest_of_its_sequence(server):
    """A2 is cancelled while A1 executes; A3, queued behind it in the same slot, is answered CANCELLED (empty message).

    A1, A2 and A3 are separate RPCs and the cancel is one more: a loaded host can deliver A2 or A3 out
    of order (one of them then gets "must specify the START flag", or A3 runs before A2 is queued), or
    deliver the cancel after A1's 300 ms execution (A2 then runs and A3 gets an output). Such an attempt
    shows timing, not Triton's cancellation: it is discarded and the scenario rerun, at most 3 times."""
    grpc = Client("grpc", server)
    http = Client("http", server)
    model = "accumulator_direct_slow"
    late = []
    for _ in range(3):
        responses = Responses()
        sid = fresh_id()
        grpc.client.async_infer(model, grpc.inputs(1), responses.callback("A1"), sequence_id=sid, sequence_start=True)
        time.sleep(0.05)
        a2 = grpc.client.async_infer(model, grpc.inputs(2), responses.callback("A2"), sequence_id=sid)
        time.sleep(0.05)  # separate RPCs: a gap keeps A3 behind A2 on a loaded host
        grpc.client.async_infer(model, grpc.inputs(4), responses.callback("A3"), sequence_id=sid)
        a4 = http.client.async_infer(model, http.inputs(8), sequence_id=sid)
        time.sleep(0.02)
        a2.cancel()  # well inside A1's 300 ms execution
        a1, a2_seen, a3 = responses.wait(["A1", "A2", "A3"])
        try:
            a4_seen = ("ok", int(a4.get_result().as_numpy("OUTPUT")[0][0]))
        except InferenceServerException as error:
            a4_seen = ("error", error.status(), error.message())
        if a1 != ("ok", 1) or a3[0] == "ok" or a3[2].endswith("must specify the START flag on the first request of the sequence"):
            late.append((a1, a2_seen, a3, a4_seen))
            grpc.infer(model, 0, sid, start=True, end=True)  # ends whatever is left of the attempt's sequence
            continue
        assert a2_seen == ("error", "StatusCode.CANCELLED", "Locally cancelled by application!")  # tritonclient's own text
        assert a3 == ("error", "StatusCode.CANCELLED", "")
        assert a4_seen == ("error", "400", "")
        assert grpc.error(model, 16, sid)[1].endswith("must specify the START flag on the first request of the sequence")
        return
    pytest.fail(f"the requests or the cancel reached Triton out of order in every attempt: {late}")


def test_cancelling_a_backlogged_sequence_is_seen_when_a_slot_frees(server):
    """B1 and B2 wait in the backlog; B1 is cancelled; B2 is answered CANCELLED only once a slot frees.

    B1 and B2 are separate RPCs, so a loaded host can deliver B2 first (then Triton rightly answers
    "must specify the START flag"): that attempt is discarded and the scenario rerun, at most 3 times."""
    grpc = Client("grpc", server)
    http = Client("http", server)
    reordered = []
    for _ in range(3):
        held = hold_all_slots(http, "accumulator_direct")
        released = []
        try:
            responses = Responses()
            sid = fresh_id()
            b1 = grpc.client.async_infer("accumulator_direct", grpc.inputs(1), responses.callback("B1"), sequence_id=sid, sequence_start=True)
            time.sleep(0.2)  # B1 reaches the backlog before B2 is sent
            grpc.client.async_infer("accumulator_direct", grpc.inputs(2), responses.callback("B2"), sequence_id=sid)
            time.sleep(0.1)
            b1.cancel()
            time.sleep(0.3)  # let the cancellation reach the server
            early = responses.done.get("B2")
            if early is not None and early[2].endswith("must specify the START flag on the first request of the sequence"):
                reordered.append(early)
                continue
            assert early is None  # nothing looks at the backlog until a slot frees
            release(http, "accumulator_direct", held[:1])
            released = held[:1]
            assert responses.wait(["B2"]) == [("error", "StatusCode.CANCELLED", "")]
            return
        finally:
            release(http, "accumulator_direct", [h for h in held if h not in released])
    pytest.fail(f"B2 overtook B1 in every attempt: {reordered}")


def test_string_corrid_models_fail_in_the_python_backend_of_2_51(server):
    """Core 2.51 sizes a STRING CORRID tensor at 4 + 128 bytes whatever the id, so the Python backend
    counts extra elements (fixed with core PR #425, Triton 2.54)."""
    if server.version != "2.51.0":
        pytest.skip(f"checks 2.51.0 behaviour, server is {server.version}")
    client = Client("http", server)
    assert client.error("accumulator_oldest_dyna_string", 1, "52", start=True) == (
        INVALID["http"],
        "unexpected number of string elements 2 for inference input 'CORRID', expecting 1",
    )


def test_string_id_to_a_uint64_corrid_model_is_not_validated_in_2_51(server):
    """2.51 has no CORRID data-type check (added by core PR #425): the model receives the id's length
    prefix in the low 32 bits. Newer Triton answers INVALID_ARG "sequence batching control 'CORRID'
    data-type is 'BYTES', but model ... expects 'TYPE_UINT64'"."""
    if server.version != "2.51.0":
        pytest.skip(f"checks 2.51.0 behaviour, server is {server.version}")
    client = Client("http", server)
    assert client.infer("accumulator_direct_dyna", 5, "abc", start=True, end=True) == 5 + len("abc")


def batch_counts(server, model):
    stats = httpclient.InferenceServerClient(server.http_url).get_inference_statistics(model)["model_stats"][0]
    return {int(b["batch_size"]): int(b["compute_infer"]["count"]) for b in stats.get("batch_stats", [])}


def quiet_batch_counts(server, model, reads=3, interval_s=0.1):
    """The counts once two reads a moment apart agree: an earlier test's last batch may not be recorded yet."""
    last = batch_counts(server, model)
    for _ in range(reads * 10):
        time.sleep(interval_s)
        counts = batch_counts(server, model)
        if counts == last:
            return counts
        last = counts
    return last


def settled_batch_counts(server, model, expected, timeout_s=5.0):
    """Triton records a batch's statistics after it has sent the responses: poll until they match (or time out)."""
    deadline = time.monotonic() + timeout_s
    while (counts := batch_counts(server, model)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return counts


def test_direct_batches_count_padding_rows(server):
    """Four sequences started one after another: slot k's batch carries k padding rows (READY=0)."""
    client = Client("http", server)
    model = "accumulator_direct_slow"  # a model no other test leaves sequences in
    before = quiet_batch_counts(server, model)
    held = [fresh_id() for _ in range(SLOTS)]
    outputs = [client.infer(model, 1 << k, sid, start=True) for k, sid in enumerate(held)]
    expected = {size: before.get(size, 0) + 1 for size in range(1, SLOTS + 1)}
    after = settled_batch_counts(server, model, expected)
    release(client, model, held)
    assert outputs == [1, 2, 4, 8]
    assert after == expected


@pytest.mark.parametrize("model", ["accumulator_direct", "accumulator_oldest_dyna"])
def test_delay_scheduler_hook_forms_one_full_batch(delayed_server, model):
    client = Client("grpc", delayed_server)
    responses = Responses()
    for k in range(SLOTS):
        client.client.async_infer(model, client.inputs(1 << k), responses.callback(k), sequence_id=fresh_id(), sequence_start=True)
    assert responses.wait(list(range(SLOTS))) == [("ok", 1 << k) for k in range(SLOTS)]
    assert settled_batch_counts(delayed_server, model, {SLOTS: 1}) == {SLOTS: 1}


def test_backlog_delay_hook_also_waits_for_a_backlogged_request(backlog_delayed_server):
    client = Client("grpc", backlog_delayed_server)
    responses = Responses()
    held = [fresh_id() for _ in range(SLOTS)]
    for k, sid in enumerate(held):
        client.client.async_infer("accumulator_direct", client.inputs(1 << k), responses.callback(k), sequence_id=sid, sequence_start=True)
    time.sleep(0.5)
    assert responses.done == {}  # four queued, but the backlog is still empty
    late = fresh_id()
    client.client.async_infer("accumulator_direct", client.inputs(100), responses.callback("late"), sequence_id=late, sequence_start=True, sequence_end=True)
    assert responses.wait(list(range(SLOTS))) == [("ok", 1 << k) for k in range(SLOTS)]
    assert settled_batch_counts(backlog_delayed_server, "accumulator_direct", {SLOTS: 1}) == {SLOTS: 1}
    release(Client("http", backlog_delayed_server), "accumulator_direct", held[:1])
    assert responses.wait(["late"]) == [("ok", 100)]


def test_two_instances_keep_per_slot_state_apart(server):
    """2 instances x 2 slots: four interleaved sequences spread over both instances' slots."""
    client = Client("http", server)
    model = "accumulator_direct_2x2"
    ids = [fresh_id() for _ in range(4)]
    starts = [client.infer(model, 1 << k, sid, start=True) for k, sid in enumerate(ids)]
    steps = [client.infer(model, 16 << k, sid, end=True) for k, sid in enumerate(ids)]
    assert starts == [1, 2, 4, 8]
    assert steps == [17, 34, 68, 136]


def test_server_reports_its_version(server):
    assert server.version == "2.51.0", json.dumps(server.describe())
