"""seqsim's reference accumulator as a Triton Python-backend model.

Written by `seqsim repo --backend python` (and triton/python-backend/make_repo.py). The file is the
same for every model: the model's config.pbtxt chooses everything through its `seqsim_*`
parameters, and the control inputs are found by kind, so any tensor names and *_false_true values
work. seqsim's docs/model-repository.md ("Python backend") says what each choice makes visible.

Per request (one batch row), in the accumulator's type (the first input's, `seqsim_accumulator`):

    READY is false (a Direct padding row): nothing changes; the response is zeros (no client gets it)
    base   = START ? initial : the row's state
    sum    = base + INPUT          (INPUT: the first element of the first input)
    state  = sum
    OUTPUT = sum + (END ? CORRID : 0)   (the "dyna" term, only when seqsim_adds_corrid_on_end is true)

TYPE_INT32 wraps at 32 bits; TYPE_FP32 adds in double precision and rounds once to single, as
seqsim's reference model (src/model/reference.ts) does. The CORRID term is the tensor's integer
(a TYPE_STRING id: the integer it spells, read like std::stoll, else 0), converted once: low 32
bits for TYPE_INT32, the nearest float32 for TYPE_FP32. Every other output carries OUTPUT's value
in its own data type, repeated over its dims.

Where the state lives (`seqsim_state_key`):
- "slot": one state per batch row of this model instance. Under the Direct strategy Triton puts
  the request of slot i in row i of every batch and pads idle slots with READY=0 rows; each model
  instance is its own stub process. So the row IS the slot: a request routed to another slot, or a
  START the batcher failed to deliver, changes the outputs.
- "corrid": one state per CORRID value, forgotten on END (as Triton's "dyna" QA backends keep it).
  Works under Direct and Oldest, where rows are not slots.
A row whose state was never set (its sequence's first executed request lacked START: impossible
with a correct batcher) is answered with an error naming the slot or the id.

`seqsim_execute_delay_us` makes each execution sleep that long (a model's compute time, so that
queues and backlogs build up as seqsim's simulated executor latency makes them).
"""

import json
import re
import time
from collections import OrderedDict

import numpy as np
import triton_python_backend_utils as pb_utils

_ROLES = {
    "CONTROL_SEQUENCE_START": "start",
    "CONTROL_SEQUENCE_END": "end",
    "CONTROL_SEQUENCE_READY": "ready",
    "CONTROL_SEQUENCE_CORRID": "corrid",
}
# Triton takes a boolean control's data type from the first of these lists that is not empty.
_FALSE_TRUE_LISTS = ("int32_false_true", "fp32_false_true", "bool_false_true")
# Ids kept by the "corrid" state when no END control tells the model when to forget one.
MAX_CORRID_STATES = 65536
_STOLL_PREFIX = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _wrap(value, bits):
    """Two's complement: the low `bits` bits of an integer, as a signed number."""
    half = 1 << (bits - 1)
    return (value + half) % (1 << bits) - half


def _float32(value):
    """The float32 nearest to a Python float (round half to even, as Math.fround)."""
    with np.errstate(over="ignore"):
        return float(np.float32(value))


def _int_to_float32(value):
    """The float32 nearest to an integer of any size, rounded once from the exact value."""
    magnitude = abs(value)
    bits = magnitude.bit_length()
    if bits <= 24:
        return float(value)
    shift = bits - 24
    kept = magnitude >> shift
    rest = magnitude - (kept << shift)
    half = 1 << (shift - 1)
    if rest > half or (rest == half and kept & 1):
        kept += 1
    rounded = float(kept) * 2.0**shift
    return -rounded if value < 0 else rounded


class Int32Accumulator:
    numpy_type = np.int32

    @staticmethod
    def parse(text):
        return int(text)

    @staticmethod
    def value(element):
        return int(element)

    @staticmethod
    def add(base, term):
        return _wrap(int(base) + int(term), 32)

    @staticmethod
    def corrid_term(integer):
        return _wrap(integer, 32)


class Fp32Accumulator:
    numpy_type = np.float32

    @staticmethod
    def parse(text):
        return float(text)

    @staticmethod
    def value(element):
        return float(element)

    @staticmethod
    def add(base, term):
        return _float32(float(base) + float(term))

    @staticmethod
    def corrid_term(integer):
        return _int_to_float32(integer)


# The accumulator types this model computes in. A new type adds its class here (and seqsim's
# PYTHON_ACCUMULATOR_TYPES, live/repository/python-repository-model.ts, its row).
ACCUMULATORS = {"TYPE_INT32": Int32Accumulator, "TYPE_FP32": Fp32Accumulator}


def corrid_integer(corrid):
    """The integer a CORRID value adds on END: a number's own value, a string's std::stoll prefix (else 0)."""
    if isinstance(corrid, (bytes, np.bytes_, str)):
        text = corrid.decode("utf-8", errors="replace") if isinstance(corrid, (bytes, np.bytes_)) else corrid
        match = _STOLL_PREFIX.match(text)
        if match is None:
            return 0
        integer = int(match.group(1))
        return integer if _INT64_MIN <= integer <= _INT64_MAX else 0
    return int(corrid)


def _parameter(config, key, default=None):
    value = (config.get("parameters") or {}).get(key, {}).get("string_value")
    if value in (None, ""):
        if default is None:
            raise pb_utils.TritonModelException(f"seqsim accumulator: the config has no parameter '{key}'")
        return default
    return value


def _true_value(control):
    for key in _FALSE_TRUE_LISTS:
        values = control.get(key) or []
        if len(values) == 2:
            return values[1]
    raise pb_utils.TritonModelException(f"seqsim accumulator: control {control.get('kind')} has no *_false_true values")


class _Output:
    """One config output: its name, numpy type and the shape of one request's tensor."""

    def __init__(self, entry, batched):
        self.name = entry["name"]
        self.data_type = entry["data_type"]
        dims = (entry.get("reshape") or {}).get("shape") or entry.get("dims") or []
        shape = [1 if int(dim) == -1 else int(dim) for dim in dims]
        self.shape = ([1] if batched else []) + shape
        self.numpy_type = pb_utils.triton_string_to_numpy(self.data_type)

    def tensor(self, accumulator, value):
        if self.data_type == "TYPE_STRING":
            text = str(accumulator.numpy_type(value)).encode("utf-8")
            array = np.full(self.shape, text, dtype=np.object_)
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                array = np.full(self.shape, np.array(value, dtype=accumulator.numpy_type)).astype(self.numpy_type)
        return pb_utils.Tensor(self.name, array)


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        batching = config.get("sequence_batching") or {}
        self.controls = {}
        for control_input in batching.get("control_input") or []:
            for control in control_input.get("control") or []:
                role = _ROLES[control.get("kind") or "CONTROL_SEQUENCE_START"]
                self.controls[role] = (control_input["name"], None if role == "corrid" else _true_value(control))
        accumulator_type = _parameter(config, "seqsim_accumulator")
        if accumulator_type not in ACCUMULATORS:
            raise pb_utils.TritonModelException(
                f"seqsim accumulator: seqsim_accumulator '{accumulator_type}' is not one of {', '.join(ACCUMULATORS)}"
            )
        self.accumulator = ACCUMULATORS[accumulator_type]
        self.state_key = _parameter(config, "seqsim_state_key")
        if self.state_key not in ("slot", "corrid"):
            raise pb_utils.TritonModelException(f"seqsim accumulator: seqsim_state_key must be 'slot' or 'corrid', got '{self.state_key}'")
        if self.state_key == "slot" and "oldest" in batching:
            raise pb_utils.TritonModelException("seqsim accumulator: seqsim_state_key 'slot' needs the Direct strategy: under Oldest a batch row is not a slot")
        if self.state_key == "corrid" and "corrid" not in self.controls:
            raise pb_utils.TritonModelException("seqsim accumulator: seqsim_state_key 'corrid' needs a CONTROL_SEQUENCE_CORRID control input")
        if "start" not in self.controls:
            raise pb_utils.TritonModelException("seqsim accumulator: the model needs a CONTROL_SEQUENCE_START control input")
        self.adds_corrid_on_end = _parameter(config, "seqsim_adds_corrid_on_end", "false") == "true"
        if self.adds_corrid_on_end and not ("corrid" in self.controls and "end" in self.controls):
            raise pb_utils.TritonModelException("seqsim accumulator: seqsim_adds_corrid_on_end needs CORRID and END control inputs")
        self.initial = self.accumulator.parse(_parameter(config, "seqsim_initial", "0"))
        self.execute_delay_s = int(_parameter(config, "seqsim_execute_delay_us", "0")) / 1e6
        batched = int(config.get("max_batch_size") or 0) > 0
        self.input_name = config["input"][0]["name"]
        self.outputs = [_Output(entry, batched) for entry in config["output"]]
        # Slot: row index -> state. Corrid: CORRID value -> state, least recently used first.
        self.states = OrderedDict()

    def _flag(self, request, role, default):
        control = self.controls.get(role)
        if control is None:
            return default
        tensor = pb_utils.get_input_tensor_by_name(request, control[0])
        if tensor is None:
            return default
        return bool(tensor.as_numpy().flatten()[0] == control[1])

    def _corrid(self, request):
        tensor = pb_utils.get_input_tensor_by_name(request, self.controls["corrid"][0])
        element = tensor.as_numpy().flatten()[0]
        return bytes(element) if isinstance(element, (bytes, np.bytes_)) else int(element)

    def _response(self, value):
        return pb_utils.InferenceResponse([output.tensor(self.accumulator, value) for output in self.outputs])

    @staticmethod
    def _error(message):
        return pb_utils.InferenceResponse(error=pb_utils.TritonError(f"seqsim accumulator: {message}"))

    def execute(self, requests):
        if self.execute_delay_s > 0:
            time.sleep(self.execute_delay_s)
        return [self._row(row, request) for row, request in enumerate(requests)]

    def _row(self, row, request):
        if not self._flag(request, "ready", True):
            return self._response(0)  # padding: no client receives it, the state stays
        values = pb_utils.get_input_tensor_by_name(request, self.input_name).as_numpy().flatten()
        if values.size == 0:
            return self._error(f"input '{self.input_name}' has no elements")
        start = self._flag(request, "start", False)
        end = self._flag(request, "end", False)
        corrid = self._corrid(request) if "corrid" in self.controls else None
        key = row if self.state_key == "slot" else corrid
        if start:
            base = self.initial
        elif key in self.states:
            base = self.states[key]
        else:
            what = f"slot {row} of this instance" if self.state_key == "slot" else f"correlation id {_id_text(corrid)}"
            return self._error(f"{what} has no state: the sequence's first executed request lacked START")
        total = self.accumulator.add(base, self.accumulator.value(values[0]))
        output = total
        if end and self.adds_corrid_on_end:
            output = self.accumulator.add(total, self.accumulator.corrid_term(corrid_integer(corrid)))
        if end and self.state_key == "corrid":
            self.states.pop(key, None)
        else:
            self.states[key] = total
            self.states.move_to_end(key)
            if len(self.states) > MAX_CORRID_STATES:
                self.states.popitem(last=False)
        return self._response(output)


def _id_text(corrid):
    return corrid.decode("utf-8", errors="replace") if isinstance(corrid, bytes) else str(corrid)
