"""model.py, the accumulator `seqsim repo --backend python` writes for Triton's Python backend, run
without Triton: its execute() with a fake `triton_python_backend_utils`, on the model config Triton
would hand it (the written config.pbtxt through protobuf's ModelConfig, printed as Triton prints
it), against vectors computed by seqsim's reference accumulator (test/python/python-model-vectors.ts
exports every config of the export corpus and computes what each row must answer).
"""

import importlib.util
import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from google.protobuf import json_format, text_format
from tritonclient.grpc import model_config_pb2

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "live" / "repository" / "python" / "model.py"

TRITON_STRING_TO_NUMPY = {
    "TYPE_BOOL": bool,
    "TYPE_UINT8": np.uint8,
    "TYPE_UINT16": np.uint16,
    "TYPE_UINT32": np.uint32,
    "TYPE_UINT64": np.uint64,
    "TYPE_INT8": np.int8,
    "TYPE_INT16": np.int16,
    "TYPE_INT32": np.int32,
    "TYPE_INT64": np.int64,
    "TYPE_FP16": np.float16,
    "TYPE_FP32": np.float32,
    "TYPE_FP64": np.float64,
    "TYPE_STRING": np.object_,
}


class FakeTensor:
    def __init__(self, name, array):
        self._name = name
        self._array = array

    def name(self):
        return self._name

    def as_numpy(self):
        return self._array


class FakeRequest:
    def __init__(self, tensors):
        self._tensors = tensors

    def inputs(self):
        return self._tensors


class FakeResponse:
    def __init__(self, output_tensors=None, error=None):
        self.outputs = output_tensors or []
        self.error = error


class FakeError:
    def __init__(self, message):
        self.text = message

    def message(self):
        return self.text


class FakeModelException(Exception):
    pass


def _fake_utils():
    """The part of triton_python_backend_utils that model.py uses, with Triton's behaviour."""
    utils = types.ModuleType("triton_python_backend_utils")
    utils.Tensor = FakeTensor
    utils.InferenceResponse = FakeResponse
    utils.TritonError = FakeError
    utils.TritonModelException = FakeModelException
    utils.get_input_tensor_by_name = lambda request, name: next((t for t in request.inputs() if t.name() == name), None)
    utils.triton_string_to_numpy = lambda name: TRITON_STRING_TO_NUMPY[name]
    return utils


def load_model_module(path):
    sys.modules["triton_python_backend_utils"] = _fake_utils()
    spec = importlib.util.spec_from_file_location(f"seqsim_model_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def triton_model_config(folder):
    """config.pbtxt as Triton hands it to a Python model: ModelConfig printed as JSON, defaults included."""
    message = text_format.Parse((Path(folder) / "config.pbtxt").read_text(), model_config_pb2.ModelConfig())
    try:
        return json_format.MessageToJson(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
    except TypeError:  # protobuf < 5
        return json_format.MessageToJson(message, preserving_proto_field_name=True, including_default_value_fields=True)


class Model:
    """One exported model: model.py initialised on its config, and request builders for its tensors."""

    def __init__(self, folder):
        folder = Path(folder)
        self.config_json = triton_model_config(folder)
        self.config = json.loads(self.config_json)
        self.module = load_model_module(folder / "1" / "model.py")
        self.model = self.module.TritonPythonModel()
        self.model.initialize({"model_config": self.config_json})
        self.batched = int(self.config.get("max_batch_size", 0)) > 0
        self.controls = {}
        for control_input in self.config["sequence_batching"].get("control_input", []):
            for control in control_input["control"]:
                kind = control.get("kind", "CONTROL_SEQUENCE_START")
                if kind == "CONTROL_SEQUENCE_CORRID":
                    self.controls[kind] = (control_input["name"], TRITON_STRING_TO_NUMPY[control["data_type"]], None)
                    continue
                for key, dtype in (("int32_false_true", np.int32), ("fp32_false_true", np.float32), ("bool_false_true", bool)):
                    if control.get(key):
                        self.controls[kind] = (control_input["name"], dtype, control[key])
                        break

    def _shape(self, entry, size_of_variable=2):
        dims = (entry.get("reshape") or {}).get("shape") or entry["dims"]
        shape = [size_of_variable if int(d) == -1 else int(d) for d in dims]
        return ([1] if self.batched else []) + shape

    def _flag(self, kind, on):
        name, dtype, values = self.controls[kind]
        return FakeTensor(name, np.full([1, 1] if self.batched else [1], values[1] if on else values[0], dtype=dtype))

    def request(self, row):
        tensors = []
        for index, entry in enumerate(self.config["input"]):
            dtype = TRITON_STRING_TO_NUMPY.get(entry["data_type"])
            if entry.get("optional") or dtype is None:
                continue  # an optional input may be left out; a BF16 one has no numpy type
            array = np.zeros(self._shape(entry), dtype=dtype) if dtype is not np.object_ else np.full(self._shape(entry), b"", dtype=np.object_)
            if index == 0:
                array.flat[0] = row["input"]  # the model reads the first element; the others stay 0
            tensors.append(FakeTensor(entry["name"], array))
        for kind, key in (("CONTROL_SEQUENCE_START", "start"), ("CONTROL_SEQUENCE_END", "end"), ("CONTROL_SEQUENCE_READY", "ready")):
            if kind in self.controls:
                tensors.append(self._flag(kind, row[key]))
        if "CONTROL_SEQUENCE_CORRID" in self.controls:
            name, dtype, _ = self.controls["CONTROL_SEQUENCE_CORRID"]
            corrid = row["corrid"]
            value = corrid["str"].encode("utf-8") if "str" in corrid else int(corrid["int"])
            tensors.append(FakeTensor(name, np.full([1, 1] if self.batched else [1], value, dtype=dtype)))
        return FakeRequest(tensors)

    def execute(self, rows):
        responses = self.model.execute([self.request(row) for row in rows])
        assert len(responses) == len(rows)
        return responses

    def expected_tensor(self, entry, value):
        accumulator = np.int32 if self.config["input"][0]["data_type"] == "TYPE_INT32" else np.float32
        shape = self._shape(entry, size_of_variable=1)
        if entry["data_type"] == "TYPE_STRING":
            return np.full(shape, str(accumulator(value)).encode("utf-8"), dtype=np.object_)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.full(shape, np.array(value, dtype=accumulator)).astype(TRITON_STRING_TO_NUMPY[entry["data_type"]])


def row_problem(model, row, response):
    """What is wrong with one response (None when it is what the reference accumulator says)."""
    expect = row["expect"]
    if "padding" in expect:
        return None if response.error is None else f"a padding row was answered with an error: {response.error.message()}"
    if "error" in expect:
        return None if response.error is not None else f"a row without state got outputs {[t.as_numpy().tolist() for t in response.outputs]}"
    if response.error is not None:
        return f"error {response.error.message()!r}, reference output {expect['output']}"
    got = {t.name(): t.as_numpy() for t in response.outputs}
    for entry in model.config["output"]:
        want = model.expected_tensor(entry, expect["output"])
        have = got.get(entry["name"])
        if have is None or have.shape != want.shape or have.dtype != want.dtype or not np.array_equal(have, want):
            return f"output {entry['name']}: got {None if have is None else have.tolist()} ({None if have is None else have.dtype}), reference {want.tolist()} ({want.dtype})"
    return None


@pytest.fixture(scope="module")
def vectors(tmp_path_factory):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the vectors come from seqsim's TypeScript reference model")
    out = tmp_path_factory.mktemp("python-model-vectors")
    run = subprocess.run(
        [node, "--import", "tsx", str(ROOT / "test" / "python" / "python-model-vectors.ts"), str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if run.returncode != 0:
        pytest.fail(f"python-model-vectors.ts failed:\n{run.stdout}{run.stderr}")
    return json.loads((out / "vectors.json").read_text())


def test_the_corpus_exports_and_refuses_what_it_should(vectors):
    labels = {case["label"] for case in vectors["cases"]}
    assert len(vectors["cases"]) > 100
    assert "sim/examples/direct-basic.json [slot]" in labels and "sim/examples/oldest-basic.json [corrid]" in labels
    reasons = {refusal["reason"].split(": ", 1)[1] for refusal in vectors["refused"]}
    assert reasons == {
        "sequence_batching.oldest: state per slot needs the Direct strategy: under Oldest a batch row is not a slot (use the corrid state key)",
        "output[1].name: output 'S2_OUT' carries state 'S2_IN', and the Python backend keeps no implicit state (use --backend onnx)",
    }


def test_every_written_model_py_is_the_template(vectors):
    for case in vectors["cases"]:
        assert (Path(case["folder"]) / "1" / "model.py").read_bytes() == TEMPLATE.read_bytes()


def test_model_py_answers_every_row_as_the_reference_accumulator(vectors):
    problems = []
    rows = errors = paddings = 0
    for case in vectors["cases"]:
        model = Model(case["folder"])
        for number, batch in enumerate(case["batches"]):
            for index, (row, response) in enumerate(zip(batch, model.execute(batch))):
                rows += 1
                errors += "error" in row["expect"]
                paddings += "padding" in row["expect"]
                problem = row_problem(model, row, response)
                if problem is not None and len(problems) < 20:
                    problems.append(f"{case['label']} batch {number} row {index} {row}: {problem}")
    assert problems == []
    # The vectors exercise every kind of row.
    assert rows > 5_000 and errors > 100 and paddings > 1_000, (rows, errors, paddings)


# Hand-written cases: what the variants make visible.

SLOT = {"input": 0, "ready": True, "start": False, "end": False}


def export(tmp_path, scenario, *options):
    run = subprocess.run(
        [shutil.which("node"), str(ROOT / "cli" / "bin.mjs"), "repo", str(scenario), "-o", str(tmp_path), "--backend", "python", "--json", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    return Model(tmp_path / report["model"])


def outputs(responses):
    return [r.error.message() if r.error is not None else r.outputs[0].as_numpy().item() for r in responses]


def test_slot_state_exposes_a_misrouted_request_and_a_lost_start(built, tmp_path):
    """direct-basic (2 slots per instance): slot 0 runs 1, 2; a request of that sequence put in row 1
    finds no state there; a new sequence in slot 0 without START would continue the old sum."""
    model = export(tmp_path, ROOT / "sim" / "examples" / "direct-basic.json")
    assert outputs(model.execute([{**SLOT, "input": 1, "start": True}])) == [1]
    assert outputs(model.execute([{**SLOT, "input": 2}])) == [3]
    padding = {**SLOT, "ready": False, "input": 1000}
    misrouted = outputs(model.execute([padding, {**SLOT, "input": 4}]))
    assert misrouted[1] == "seqsim accumulator: slot 1 of this instance has no state: the sequence's first executed request lacked START"
    assert outputs(model.execute([{**SLOT, "input": 16}])) == [19]  # a lost START: the old sum goes on


def test_corrid_state_follows_the_id_whatever_the_row(built, tmp_path):
    """oldest-basic (dyna: END adds the id): two interleaved sequences in changing rows."""
    model = export(tmp_path, ROOT / "sim" / "examples" / "oldest-basic.json")
    a, b = {"int": "52"}, {"int": str(2**64 - 1)}
    assert outputs(model.execute([{**SLOT, "input": 1, "start": True, "corrid": a}, {**SLOT, "input": 10, "start": True, "corrid": b}])) == [1, 10]
    assert outputs(model.execute([{**SLOT, "input": 20, "corrid": b}, {**SLOT, "input": 2, "corrid": a}])) == [30, 3]
    # END adds the id's low 32 bits (INT32 accumulator): 52, and -1 for 2^64 - 1; then the id is forgotten.
    assert outputs(model.execute([{**SLOT, "input": 4, "end": True, "corrid": a}, {**SLOT, "input": 0, "end": True, "corrid": b}])) == [59, 29]
    assert outputs(model.execute([{**SLOT, "input": 1, "corrid": a}])) == [
        "seqsim accumulator: correlation id 52 has no state: the sequence's first executed request lacked START"
    ]


def test_initialize_refuses_a_config_it_cannot_serve(built, tmp_path):
    model = export(tmp_path, ROOT / "sim" / "examples" / "oldest-basic.json")
    config = json.loads(model.config_json)
    config["parameters"]["seqsim_state_key"]["string_value"] = "slot"
    with pytest.raises(FakeModelException, match="needs the Direct strategy"):
        model.module.TritonPythonModel().initialize({"model_config": json.dumps(config)})
    config["parameters"]["seqsim_state_key"]["string_value"] = "corrid"
    config["parameters"]["seqsim_accumulator"]["string_value"] = "TYPE_INT8"
    with pytest.raises(FakeModelException, match="seqsim_accumulator 'TYPE_INT8' is not one of TYPE_INT32, TYPE_FP32"):
        model.module.TritonPythonModel().initialize({"model_config": json.dumps(config)})


def test_execute_delay_sleeps_once_per_batch(built, tmp_path, monkeypatch):
    model = export(tmp_path, ROOT / "sim" / "examples" / "direct-basic.json", "--execute-delay", "250ms")
    slept = []
    monkeypatch.setattr(model.module.time, "sleep", slept.append)
    model.execute([{**SLOT, "input": 1, "start": True}, {**SLOT, "input": 2, "start": True}])
    assert slept == [0.25]
