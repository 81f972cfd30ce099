"""seqsim's reference accumulator as a Triton Python-backend model (shared with seqsim's simulator).

Semantics (per batch row): READY=0 rows (Direct padding) change nothing; START sets the state to
`initial + INPUT`; any other row adds INPUT to the state; OUTPUT is the state, plus the CORRID value
on the END row when the model declares a CORRID control ("dyna" variant).

Where the state lives, chosen by the config parameter `state_key`:
- "slot" (Direct only): one state per batch row. Under the Direct strategy Triton puts the request
  of sequence slot i in row i of every batch (padding rows carry READY=0), so the row index IS the
  slot, and each model instance (its own stub process) holds the states of its own slots. A request
  routed to the wrong slot, or a START the batcher failed to deliver, changes the outputs.
- "corrid": one state per correlation id, forgotten after END (Triton's dyna QA backend does this);
  works for Direct and Oldest, where rows are not slots.
A row whose state was never set (its sequence's first executed request lacked START, impossible
with a correct batcher) is answered with an error naming the slot or id.

Other parameters: `initial` (number, default 0) and `execute_delay_ms` (sleep per execute, default
0: makes queues build up so backlogs and batch composition can be observed).
Control inputs are found by kind in the model config, so any tensor names work.
"""

import json
import re
import time

import numpy as np
import triton_python_backend_utils as pb_utils

_ROLES = {
    "CONTROL_SEQUENCE_START": "start",
    "CONTROL_SEQUENCE_END": "end",
    "CONTROL_SEQUENCE_READY": "ready",
    "CONTROL_SEQUENCE_CORRID": "corrid",
}


def _parameter(config, key, default):
    value = config.get("parameters", {}).get(key, {}).get("string_value")
    return default if value in (None, "") else value


def _corrid_number(value):
    """The integer a CORRID adds: the tensor's integer value, or a string id's leading integer (else 0)."""
    if isinstance(value, (bytes, np.bytes_)):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        match = re.match(r"\s*[+-]?\d+", value)
        return int(match.group(0)) if match else 0
    return int(value)


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        batching = config.get("sequence_batching") or {}
        self.controls = {}
        for control_input in batching.get("control_input", []):
            for control in control_input.get("control", []):
                role = _ROLES.get(control.get("kind"))
                if role is not None:
                    self.controls[role] = control_input["name"]
        self.state_key = _parameter(config, "state_key", "slot")
        if self.state_key not in ("slot", "corrid"):
            raise pb_utils.TritonModelException(f"parameter state_key must be 'slot' or 'corrid', got '{self.state_key}'")
        if self.state_key == "slot" and "oldest" in batching:
            raise pb_utils.TritonModelException("state_key 'slot' needs the Direct strategy: under Oldest a batch row is not a slot")
        if self.state_key == "corrid" and "corrid" not in self.controls:
            raise pb_utils.TritonModelException("state_key 'corrid' needs a CONTROL_SEQUENCE_CORRID control input")
        self.input_name = config["input"][0]["name"]
        self.output_name = config["output"][0]["name"]
        self.dtype = pb_utils.triton_string_to_numpy(config["output"][0]["data_type"])
        self.initial = float(_parameter(config, "initial", "0"))
        self.execute_delay_s = float(_parameter(config, "execute_delay_ms", "0")) / 1000.0
        self.states = {}

    def _flag(self, request, role, default):
        name = self.controls.get(role)
        if name is None:
            return default
        tensor = pb_utils.get_input_tensor_by_name(request, name)
        return default if tensor is None else bool(tensor.as_numpy().flatten()[0])

    def _corrid(self, request):
        tensor = pb_utils.get_input_tensor_by_name(request, self.controls["corrid"])
        return tensor.as_numpy().flatten()[0]

    def _in_dtype(self, number):
        """A Python number as the output type: INT32 wraps at 32 bits, FP32 rounds."""
        if np.issubdtype(self.dtype, np.integer):
            bits = np.dtype(self.dtype).itemsize * 8
            number = (int(number) + (1 << (bits - 1))) % (1 << bits) - (1 << (bits - 1))
        return np.array(number, dtype=self.dtype)

    def execute(self, requests):
        if self.execute_delay_s > 0:
            time.sleep(self.execute_delay_s)
        responses = []
        for row, request in enumerate(requests):
            value = pb_utils.get_input_tensor_by_name(request, self.input_name).as_numpy().astype(self.dtype)
            if not self._flag(request, "ready", True):
                # Padding row: no client receives this response; the state is left alone.
                responses.append(pb_utils.InferenceResponse([pb_utils.Tensor(self.output_name, np.zeros_like(value))]))
                continue
            start = self._flag(request, "start", False)
            end = self._flag(request, "end", False)
            corrid = self._corrid(request) if "corrid" in self.controls else None
            key = row if self.state_key == "slot" else _corrid_key(corrid)
            if start:
                base = self._in_dtype(self.initial)
            elif key in self.states:
                base = self.states[key]
            else:
                what = f"slot {row}" if self.state_key == "slot" else f"correlation id {key}"
                error = pb_utils.TritonError(f"accumulator: {what} has no state: the sequence's first executed request lacked START")
                responses.append(pb_utils.InferenceResponse(error=error))
                continue
            with np.errstate(over="ignore"):
                total = (base + value).astype(self.dtype)
                output = total
                if end and corrid is not None:
                    output = (total + self._in_dtype(_corrid_number(corrid))).astype(self.dtype)
            if end and self.state_key == "corrid":
                self.states.pop(key, None)
            else:
                self.states[key] = total
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor(self.output_name, output)]))
        return responses


def _corrid_key(corrid):
    return corrid.decode("utf-8", errors="replace") if isinstance(corrid, (bytes, np.bytes_)) else int(corrid)
