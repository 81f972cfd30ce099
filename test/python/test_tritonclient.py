"""Triton's own Python client (tritonclient.http and tritonclient.grpc) against `seqsim serve`.

The served model is sim/examples/direct-basic.json's: the QA sequence accumulator (each output is
the running sum of the sequence's inputs), Direct strategy, 2 instances x 2 slots, START and READY
controls and no CORRID control, so both integer and string sequence ids are accepted.
"""

import queue

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

MODEL = "acc_direct"
RESPONSE_TIMEOUT_S = 30


def missing_start(sequence_id):
    return (
        f"inference request for sequence {sequence_id} to model '{MODEL}' "
        "must specify the START flag on the first request of the sequence"
    )


UNKNOWN_MODEL = "Request for unknown model: 'nope' is not found"


def running_sums(values):
    return np.cumsum(values).tolist()


def http_input(value):
    tensor = httpclient.InferInput("INPUT", [1, 1], "INT32")
    tensor.set_data_from_numpy(np.array([[value]], dtype=np.int32))
    return tensor


def grpc_input(value):
    tensor = grpcclient.InferInput("INPUT", [1, 1], "INT32")
    tensor.set_data_from_numpy(np.array([[value]], dtype=np.int32))
    return tensor


def output_of(result):
    array = result.as_numpy("OUTPUT")
    assert array.shape == (1, 1) and array.dtype == np.int32
    return int(array[0, 0])


@pytest.fixture
def http(server):
    client = httpclient.InferenceServerClient(server.http_url)
    yield client
    client.close()


@pytest.fixture
def grpc(server):
    client = grpcclient.InferenceServerClient(server.grpc_url)
    yield client
    client.close()


def test_http_readiness_metadata_and_config(http):
    assert http.is_server_live()
    assert http.is_server_ready()
    assert http.is_model_ready(MODEL)
    assert not http.is_model_ready("nope")
    metadata = http.get_model_metadata(MODEL)
    assert metadata == {
        "name": MODEL,
        "versions": ["1"],
        "platform": "onnxruntime_onnx",
        "inputs": [{"name": "INPUT", "datatype": "INT32", "shape": [-1, 1]}],
        "outputs": [{"name": "OUTPUT", "datatype": "INT32", "shape": [-1, 1]}],
    }
    config = http.get_model_config(MODEL)
    assert config["name"] == MODEL
    assert config["max_batch_size"] == 2
    assert config["backend"] == "onnxruntime"
    assert config["input"][0]["name"] == "INPUT" and config["input"][0]["data_type"] == "TYPE_INT32"
    assert config["input"][0]["dims"] == [1]
    assert "direct" in config["sequence_batching"]
    assert config["sequence_batching"]["max_sequence_idle_microseconds"] == 5000000
    assert [group["name"] for group in config["instance_group"]] == [f"{MODEL}_0"]
    with pytest.raises(InferenceServerException) as error:
        http.get_model_metadata("nope")
    assert error.value.message() == UNKNOWN_MODEL
    assert error.value.status() == "404"


def test_grpc_readiness_metadata_and_config(grpc):
    assert grpc.is_server_live()
    assert grpc.is_server_ready()
    assert grpc.is_model_ready(MODEL)
    metadata = grpc.get_model_metadata(MODEL, as_json=True)
    assert metadata["name"] == MODEL
    assert metadata["inputs"] == [{"name": "INPUT", "datatype": "INT32", "shape": ["-1", "1"]}]
    config = grpc.get_model_config(MODEL).config
    assert config.name == MODEL
    assert config.max_batch_size == 2
    assert config.sequence_batching.WhichOneof("strategy_choice") == "direct"
    assert config.sequence_batching.max_sequence_idle_microseconds == 5000000
    assert [control.name for control in config.sequence_batching.control_input] == ["START", "READY"]
    with pytest.raises(InferenceServerException) as error:
        grpc.get_model_metadata("nope")
    assert error.value.message() == UNKNOWN_MODEL
    assert error.value.status() == "StatusCode.NOT_FOUND"


def test_http_sequences_with_int_and_string_ids(http):
    """Two sequences interleaved, one with a uint64 id and one with a string id."""
    sequences = {1001: [1, 2, 4, 8], "tenant-a/7": [5, 5, 9]}
    outputs = {sequence_id: [] for sequence_id in sequences}
    for step in range(max(len(values) for values in sequences.values())):
        for sequence_id, values in sequences.items():
            if step >= len(values):
                continue
            result = http.infer(
                MODEL,
                [http_input(values[step])],
                request_id=f"{sequence_id}-{step}",
                sequence_id=sequence_id,
                sequence_start=step == 0,
                sequence_end=step == len(values) - 1,
            )
            assert result.get_response()["id"] == f"{sequence_id}-{step}"
            outputs[sequence_id].append(output_of(result))
    assert outputs == {sequence_id: running_sums(values) for sequence_id, values in sequences.items()}


def test_http_outputs_as_json_when_asked(http):
    """The client names the output with binary_data=False: the value comes back as JSON data."""
    requested = [httpclient.InferRequestedOutput("OUTPUT", binary_data=False)]
    first = http.infer(MODEL, [http_input(20)], outputs=requested, sequence_id=1002, sequence_start=True)
    last = http.infer(MODEL, [http_input(22)], outputs=requested, sequence_id=1002, sequence_end=True)
    assert first.get_response()["outputs"][0]["data"] == [20]
    assert "parameters" not in first.get_response()["outputs"][0]
    assert output_of(last) == 42


def test_grpc_unary_sequences(grpc):
    for sequence_id, values in ((2001, [16, 32, 64]), ("grpc/unary", [3, 4])):
        outputs = [
            output_of(
                grpc.infer(
                    MODEL,
                    [grpc_input(value)],
                    sequence_id=sequence_id,
                    sequence_start=step == 0,
                    sequence_end=step == len(values) - 1,
                )
            )
            for step, value in enumerate(values)
        ]
        assert outputs == running_sums(values)


def test_grpc_streaming_sequences(grpc):
    """One stream per sequence, every step sent back to back, as Triton's sequence tests do."""
    for sequence_id, values in ((3001, [1, 1, 1, 5]), ("grpc/stream", [7, 8, 9])):
        responses = queue.Queue()
        grpc.start_stream(callback=lambda result, error: responses.put((result, error)))
        try:
            for step, value in enumerate(values):
                grpc.async_stream_infer(
                    MODEL,
                    [grpc_input(value)],
                    request_id=str(step),
                    sequence_id=sequence_id,
                    sequence_start=step == 0,
                    sequence_end=step == len(values) - 1,
                )
            received = [responses.get(timeout=RESPONSE_TIMEOUT_S) for _ in values]
        finally:
            grpc.stop_stream()
        assert [error for _, error in received] == [None] * len(values)
        assert [result.get_response().id for result, _ in received] == [str(step) for step in range(len(values))]
        assert [output_of(result) for result, _ in received] == running_sums(values)


def test_missing_start_over_http(http):
    for sequence_id in (999, "ghost", 2**64 - 1):
        with pytest.raises(InferenceServerException) as error:
            http.infer(MODEL, [http_input(1)], sequence_id=sequence_id)
        assert error.value.message() == missing_start(sequence_id)
        assert error.value.status() == "400"


def test_missing_start_over_grpc(grpc):
    for sequence_id in (999, "ghost"):
        with pytest.raises(InferenceServerException) as error:
            grpc.infer(MODEL, [grpc_input(1)], sequence_id=sequence_id)
        assert error.value.message() == missing_start(sequence_id)
        assert error.value.status() == "StatusCode.INVALID_ARGUMENT"


def test_missing_start_on_a_stream_leaves_the_stream_open(grpc):
    responses = queue.Queue()
    grpc.start_stream(callback=lambda result, error: responses.put((result, error)))
    try:
        grpc.async_stream_infer(MODEL, [grpc_input(1)], sequence_id=4001)
        grpc.async_stream_infer(MODEL, [grpc_input(6)], sequence_id=4002, sequence_start=True, sequence_end=True)
        (_, error), (result, no_error) = [responses.get(timeout=RESPONSE_TIMEOUT_S) for _ in range(2)]
    finally:
        grpc.stop_stream()
    assert error.message() == missing_start(4001)
    assert no_error is None and output_of(result) == 6


def test_unknown_model(http, grpc):
    with pytest.raises(InferenceServerException) as error:
        http.infer("nope", [http_input(1)], sequence_id=1, sequence_start=True)
    assert error.value.message() == UNKNOWN_MODEL
    assert error.value.status() == "404"
    with pytest.raises(InferenceServerException) as error:
        grpc.infer("nope", [grpc_input(1)], sequence_id=1, sequence_start=True)
    assert error.value.message() == UNKNOWN_MODEL
    assert error.value.status() == "StatusCode.NOT_FOUND"


def test_statistics_count_executions_by_batch_size(http, grpc):
    stats = http.get_inference_statistics(MODEL)["model_stats"]
    assert [(entry["name"], entry["version"]) for entry in stats] == [(MODEL, "1")]
    entry = stats[0]
    assert entry["inference_count"] > 0
    assert entry["inference_stats"]["success"]["count"] == entry["inference_count"]
    # Refused on arrival (missing START) is an error returned to the caller, not a failure counted.
    assert entry["inference_stats"]["fail"]["count"] == 0
    sizes = {batch["batch_size"]: batch["compute_infer"]["count"] for batch in entry["batch_stats"]}
    assert set(sizes) <= {1, 2}, "a Direct batch of this model has 1 or 2 rows (padding included)"
    assert sum(sizes.values()) == entry["execution_count"]
    over_grpc = grpc.get_inference_statistics(MODEL).model_stats[0]
    assert over_grpc.execution_count >= entry["execution_count"]
    assert {batch.batch_size for batch in over_grpc.batch_stats} == set(sizes)


def test_zz_server_stops_and_its_trace_has_no_violation(server):
    """Last: SIGTERM makes the server drain, run every oracle on its trace and say so."""
    code, output = server.stop()
    assert code == 0, output
    assert "no violation" in output, output
