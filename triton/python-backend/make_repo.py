"""Writes a Triton model repository of seqsim accumulators for the Python backend.

    python triton/python-backend/make_repo.py OUT_DIR [--max-batch-size 4] [--instances 1]
        [--idle-us 5000000] [--execute-delay-ms 0] [--initial 0] [--only NAME[,NAME...]] [--suffix S]

Every model is OUT_DIR/<name>/config.pbtxt plus OUT_DIR/<name>/1/model.py (a copy of seqsim's
live/repository/python/model.py, the file `seqsim repo --backend python` writes); --suffix appends
S to every model name (to hold the same variants with other options in one repository). The
variants (see VARIANTS) differ in strategy, controls and where the accumulator keeps its state.
These are hand-written probes of Triton's behaviour; `seqsim repo <scenario> --backend python`
exports a scenario's own model config.
"""

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

MODEL_PY = Path(__file__).resolve().parents[2] / "live" / "repository" / "python" / "model.py"


@dataclass(frozen=True)
class Variant:
    name: str
    strategy: str  # "direct" or "oldest"
    state_key: str  # "slot" or "corrid"
    corrid_type: str | None  # None: no CORRID control (and no END control)
    what_it_shows: str


VARIANTS = [
    Variant(
        "accumulator_direct",
        "direct",
        "slot",
        None,
        "Direct slot routing: state per batch row = slot, so a misrouted request, a lost START reset or padding marked READY changes the sum.",
    ),
    Variant(
        "accumulator_direct_dyna",
        "direct",
        "slot",
        "TYPE_UINT64",
        "as accumulator_direct, plus END and CORRID delivery: the END row adds the id.",
    ),
    Variant(
        "accumulator_oldest_dyna",
        "oldest",
        "corrid",
        "TYPE_UINT64",
        "Oldest batching: state keyed by id (rows are not slots); ordering within a sequence, START/END delivery, CORRID value.",
    ),
    Variant(
        "accumulator_oldest_dyna_string",
        "oldest",
        "corrid",
        "TYPE_STRING",
        "as accumulator_oldest_dyna with string correlation ids (a numeric id adds its integer value).",
    ),
]


@dataclass(frozen=True)
class Options:
    max_batch_size: int = 4
    instances: int = 1
    idle_us: int = 5_000_000
    execute_delay_ms: int = 0
    initial: int = 0


def _flag_control(name: str, kind: str) -> str:
    return f'    {{ name: "{name}" control [ {{ kind: {kind} int32_false_true: [ 0, 1 ] }} ] }}'


def config_text(variant: Variant, options: Options, name: str) -> str:
    controls = [_flag_control("START", "CONTROL_SEQUENCE_START")]
    if variant.corrid_type is not None:
        controls.append(_flag_control("END", "CONTROL_SEQUENCE_END"))
    controls.append(_flag_control("READY", "CONTROL_SEQUENCE_READY"))
    if variant.corrid_type is not None:
        controls.append(f'    {{ name: "CORRID" control [ {{ kind: CONTROL_SEQUENCE_CORRID data_type: {variant.corrid_type} }} ] }}')
    if variant.strategy == "direct":
        strategy = "  direct { }"
    else:
        strategy = f"  oldest {{ max_candidate_sequences: {options.max_batch_size} max_queue_delay_microseconds: 0 }}"
    control_lines = ",\n".join(controls)
    return f"""# seqsim accumulator ({variant.name}): {variant.what_it_shows}
name: "{name}"
backend: "python"
max_batch_size: {options.max_batch_size}
input [ {{ name: "INPUT" data_type: TYPE_INT32 dims: [ 1 ] }} ]
output [ {{ name: "OUTPUT" data_type: TYPE_INT32 dims: [ 1 ] }} ]
instance_group [ {{ kind: KIND_CPU count: {options.instances} }} ]
sequence_batching {{
  max_sequence_idle_microseconds: {options.idle_us}
{strategy}
  control_input [
{control_lines}
  ]
}}
parameters {{ key: "seqsim_accumulator" value: {{ string_value: "TYPE_INT32" }} }}
parameters {{ key: "seqsim_state_key" value: {{ string_value: "{variant.state_key}" }} }}
parameters {{ key: "seqsim_initial" value: {{ string_value: "{options.initial}" }} }}
parameters {{ key: "seqsim_adds_corrid_on_end" value: {{ string_value: "{str(variant.corrid_type is not None).lower()}" }} }}
parameters {{ key: "seqsim_execute_delay_us" value: {{ string_value: "{options.execute_delay_ms * 1000}" }} }}
"""


def write_repository(out: Path, options: Options, names: list[str] | None = None, suffix: str = "") -> list[str]:
    chosen = [v for v in VARIANTS if names is None or v.name in names]
    unknown = set(names or []) - {v.name for v in VARIANTS}
    if unknown:
        raise ValueError(f"unknown variant(s): {', '.join(sorted(unknown))}; known: {', '.join(v.name for v in VARIANTS)}")
    written = []
    for variant in chosen:
        name = variant.name + suffix
        folder = out / name
        (folder / "1").mkdir(parents=True, exist_ok=True)
        (folder / "config.pbtxt").write_text(config_text(variant, options, name))
        shutil.copyfile(MODEL_PY, folder / "1" / "model.py")
        written.append(name)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--max-batch-size", type=int, default=Options.max_batch_size)
    parser.add_argument("--instances", type=int, default=Options.instances)
    parser.add_argument("--idle-us", type=int, default=Options.idle_us)
    parser.add_argument("--execute-delay-ms", type=int, default=Options.execute_delay_ms)
    parser.add_argument("--initial", type=int, default=Options.initial)
    parser.add_argument("--only", help="comma-separated variant names")
    parser.add_argument("--suffix", default="", help="appended to every model name")
    args = parser.parse_args(argv)
    options = Options(args.max_batch_size, args.instances, args.idle_us, args.execute_delay_ms, args.initial)
    try:
        names = write_repository(args.out, options, args.only.split(",") if args.only else None, args.suffix)
    except ValueError as error:
        print(f"make_repo: {error}", file=sys.stderr)
        return 2
    print("\n".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
