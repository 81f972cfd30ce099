"""The differential against the real Triton: `npm run triton:diff` (triton/diff.sh runs this in .venv-triton).

For each case (a shipped example, a port of Triton's qa/L0_sequence_batcher, or a short stress
workload), it writes a copy of the scenario as the case plays it, exports the copies with
`seqsim repo --backend python --cpu` into one repository per server (cases with test hooks need a
server of their own: TRITONSERVER_DELAY_SCHEDULER is read from the server's environment), starts
the bundled tritonserver on free loopback ports, runs `seqsim drive <copy> --compare-sim --json`
over each protocol drive offers, checks the L0 ports' outputs against Triton's expected values,
prints the table, stops the servers, and exits 0 only when every difference is explained
(EXPLAINED below). Writes out/triton-diff/results.json for the README table (triton/diff_table.py).

    .venv-triton/bin/python triton/diff.py [--short] [--only NAME,...] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "triton"))

from seqsim_harness import node, scale_times, seqsim, warm_up  # noqa: E402
from tritonserver import SetupError, StartError, TritonServer, unavailable_reason  # noqa: E402

# Sequences start at least this far apart in the copies, so that they reach Triton in the scenario's order.
START_SPACING_US = 5000
DRIVE_TIMEOUT_S = 120
L0_EXPECTED = ROOT / "triton" / "l0-expected.json"


@dataclass(frozen=True)
class Case:
    name: str  # the table's scenario column, and the served model's suffix
    scenario: str  # relative to the project root; "stress:<seed>:<threads>:<iterations>" for the stress workload
    state_key: str = "slot"
    execute_delay_us: int = 1000
    starts_us: tuple = ()  # (sequence id, start_us) changed in the copy
    short: bool = False  # in the CI set
    why: str = ""
    needs_ordered: bool = False  # pipelined stream steps: only over a transport that keeps their order (gRPC)
    scale: int = 1  # every time of the copy (starts, gaps, timeouts, cancels, the idle timeout) multiplied: edges further from real jitter


CASES = [
    Case("direct-basic", "sim/examples/direct-basic.json", "slot", 1000, short=True, why="Direct, 2 instances x 2 slots, integer and string ids"),
    Case("oldest-basic", "sim/examples/oldest-basic.json", "corrid", 1000, short=True, why="Oldest (KIND_GPU exported as KIND_CPU), END adds the CORRID"),
    Case("backlog-fill", "sim/examples/backlog-fill.json", "slot", 20_000, short=True, why="1 slot: the backlog, a backlog request timeout, the START error"),
    Case("backlog-fill-corrid", "sim/examples/backlog-fill.json", "corrid", 20_000, why="the same with CORRID-keyed state"),
    Case("idle-timeout", "sim/examples/idle-timeout.json", "slot", 1000, starts_us=((8, 12_000),), scale=5, why="the reaper frees the slot in the gap"),
    Case("cancel-and-stop", "sim/examples/cancel-and-stop.json", "slot", 2000, why="client cancels (HTTP: the request runs on); the lifecycle block is dropped"),
    Case("misuse", "sim/examples/drive/misuse.json", "slot", 1000, short=True, why="missing START, id 0, a request after END, id reuse, a string id on a UINT64 CORRID"),
    Case("l0-simple-sequence", "sim/examples/triton-l0/simple-sequence.json", short=True, why="test_simple_sequence"),
    Case("l0-length1-sequence", "sim/examples/triton-l0/length1-sequence.json", why="test_length1_sequence"),
    Case("l0-no-sequence-start", "sim/examples/triton-l0/no-sequence-start.json", short=True, why="test_no_sequence_start"),
    Case("l0-no-sequence-start2", "sim/examples/triton-l0/no-sequence-start2.json", why="test_no_sequence_start2"),
    Case("l0-no-correlation-id", "sim/examples/triton-l0/no-correlation-id.json", why="test_no_correlation_id"),
    Case("l0-four-starts-one-batch", "sim/examples/triton-l0/four-starts-one-batch.json", short=True, why="TRITONSERVER_DELAY_SCHEDULER=4: one batch of 4"),
    Case("l0-half-batch", "sim/examples/triton-l0/half-batch.json", needs_ordered=True, why="test_half_batch (DELAY_SCHEDULER=8, pipelined streams)"),
    Case("l0-backlog-sequence-timeout", "sim/examples/triton-l0/backlog-sequence-timeout.json", why="test_backlog_sequence_timeout, idle scaled from 5 s to 1 s"),
    Case("stress", "stress:3:4:12", "slot", 3000, short=True, scale=3, why="Triton's stress workload, 4 threads x 12 sequences, as a timed scenario, 30 ms a step"),
]

# Differences with a documented cause: (case, text the difference contains, why). README "Known differences" restates them.
EXPLAINED: list[tuple[str, str, str]] = [
    (
        "misuse",
        "data-type is 'BYTES', but model",
        "Triton 2.51 does not check a string id against a UINT64 CORRID: it runs the request, and the model reads the "
        "string's 4-byte length prefix as the id (\"65\" adds 2 at END); core PR #425 (Triton 2.54) added the data-type error seqsim gives",
    ),
]


def scenario_copy(case: Case, folder: Path) -> tuple[Path, dict]:
    """The scenario as the case plays it on both sides: the executor's latency is model.py's execute delay,
    starts spaced START_SPACING_US apart in order, a model name of its own, no lifecycle block (drive plays none)."""
    if case.scenario.startswith("stress:"):
        _, seed, threads, iterations = case.scenario.split(":")
        written = folder / f"{case.name}-workload.json"
        seqsim("drive", "--stress", "--seed", seed, "--threads", threads, "--iterations", iterations, "--write-scenario", str(written))
        scenario = json.loads(written.read_text())
    else:
        scenario = json.loads((ROOT / case.scenario).read_text())
    scenario["name"] = case.name
    scenario["executor"] = {"latency_us": case.execute_delay_us}
    scenario["model"]["name"] = f"{scenario['model']['name']}_{case.name.replace('-', '_')}"
    scenario.pop("lifecycle", None)
    scale_times(scenario, case.scale)
    if case.state_key == "corrid":
        add_corrid(scenario["model"])
    starts = {sid: us * case.scale for sid, us in case.starts_us}
    ordered = sorted(range(len(scenario["sequences"])), key=lambda i: scenario["sequences"][i].get("start_us", 0))
    for order, index in enumerate(ordered):
        sequence = scenario["sequences"][index]
        start = starts.get(sequence["id"], sequence.get("start_us", 0))
        if not case.scenario.startswith("stress:"):
            start = max(start, order * START_SPACING_US)
        sequence["start_us"] = start
    copy = folder / f"{case.name}.json"
    copy.write_text(json.dumps(scenario))
    return copy, scenario


def add_corrid(model: dict) -> None:
    """`seqsim repo --state-key corrid` adds a UINT64 CORRID control when the config has none; the copy gets it
    too, so that the served config is the scenario's (drive compares them before a run)."""
    batching = model["sequence_batching"]
    controls = batching.get("control_input")
    if controls and any(c["control"][0]["kind"] == "CONTROL_SEQUENCE_CORRID" for c in controls):
        return
    if not controls:
        int32 = lambda name, kind: {"name": name, "control": [{"kind": kind, "int32_false_true": [0, 1]}]}  # noqa: E731
        controls = [int32("START", "CONTROL_SEQUENCE_START"), int32("READY", "CONTROL_SEQUENCE_READY")]
    batching["control_input"] = [*controls, {"name": "CORRID", "control": [{"kind": "CONTROL_SEQUENCE_CORRID", "data_type": "TYPE_UINT64"}]}]


def hooks_env(scenario: dict) -> dict[str, str]:
    hooks = scenario.get("test_hooks") or {}
    env = {}
    if hooks.get("delay_scheduler"):
        env["TRITONSERVER_DELAY_SCHEDULER"] = str(hooks["delay_scheduler"])
    if hooks.get("backlog_delay_scheduler"):
        env["TRITONSERVER_BACKLOG_DELAY_SCHEDULER"] = str(hooks["backlog_delay_scheduler"])
    return env


def protocols() -> dict[str, bool]:
    """Protocol -> whether drive offers it here (gRPC: `seqsim drive --grpc HOST:PORT`)."""
    help_text = seqsim("drive", "--help").stdout
    return {"http": True, "grpc": "--grpc" in help_text}


def real_outputs(trace: Path) -> dict[str, list]:
    """Each sequence's answers in the client-side trace: an output, or 'error: <message>'."""
    answers: dict[str, dict[int, object]] = {}
    for line in trace.read_text().splitlines()[1:]:
        event = json.loads(line)
        if event["type"] == "response":
            value = event["output"] if "output" in event else f"error: {event['error']['message']}"
            answers.setdefault(json.dumps(event["sequence"]), {})[event["step"]] = value
    return {sid: [steps[k] for k in sorted(steps)] for sid, steps in answers.items()}


def check_expected(case: Case, trace: Path, expected: dict) -> list[str]:
    """The L0 port's answers on the real server against Triton's expected values (triton/l0-expected.json)."""
    want = expected.get(Path(case.scenario).stem)
    if want is None:
        return []
    seen = real_outputs(trace)
    problems = []
    for sid, values in want["outputs"].items():
        got = seen.get(sid, [])
        for step, value in enumerate(values):
            answer = got[step] if step < len(got) else "no answer"
            ok = (isinstance(value, dict) and isinstance(answer, str) and value["error"] in answer) or answer == value
            if not ok:
                problems.append(f"sequence {sid} step {step}: Triton's L0 expects {value}, the real server answered {answer}")
    return problems


@dataclass
class Row:
    case: str
    protocol: str
    strategy: str
    sequences: int = 0
    compared: int = 0
    equal: int = 0
    excluded: dict = field(default_factory=dict)
    differences: list = field(default_factory=list)
    batches: str = ""
    expected: list = field(default_factory=list)
    skipped: str = ""
    unexplained: int = 0


def run_case(case: Case, copy: Path, scenario: dict, server: TritonServer, protocol: str, out: Path, expected: dict) -> Row:
    strategy = "oldest" if "oldest" in scenario["model"]["sequence_batching"] else "direct"
    row = Row(case.name, protocol, strategy)
    trace = out / f"{case.name}-{protocol}.jsonl"
    target = ["--url", f"http://{server.http_url}"] if protocol == "http" else ["--grpc", server.grpc_url]
    run = seqsim("drive", str(copy), *target, "--compare-sim", "--json", "--trace", str(trace), "--deadline", "20s", timeout=DRIVE_TIMEOUT_S, ok=None)
    if run.returncode not in (0, 1):
        row.skipped = f"drive exited {run.returncode}: {(run.stderr or run.stdout).strip().splitlines()[-1:]}"
        row.unexplained = 1
        return row
    report = json.loads(run.stdout)
    d = report["differential"]
    row.sequences, row.compared, row.equal, row.excluded = d["sequences"], d["compared"], d["equal"], d["excluded"]
    row.differences = [dict(diff, violation=False) for diff in d["differences"]]
    row.differences += [{"sequence": "*", "step": -1, "real": v["message"], "simulated": "", "violation": True, "oracle": v["oracle"]} for v in report["violations"]]
    b = d["batches"]
    if b["compared"]:
        row.batches = "=" if b["equal"] else "≠"
        if not b["equal"]:
            row.differences.append({"sequence": "*", "step": -1, "real": f"batches {b['real']}", "simulated": f"batches {b['simulated']}", "violation": False})
    else:
        row.batches = "n/c"
    row.expected = check_expected(case, trace, expected)
    for diff in row.differences:
        text = f"{diff['real']} {diff['simulated']}"
        why = next((reason for name, part, reason in EXPLAINED if name == case.name and part in text), None)
        diff["explained"] = why
        if why is None:
            row.unexplained += 1
    row.unexplained += len(row.expected)
    return row


def excluded_text(excluded: dict) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in excluded.items()) or "-"


def table(rows: list[Row]) -> str:
    head = ["scenario", "protocol", "strategy", "sequences", "compared", "equal", "excluded (by reason)", "batch sizes", "differences"]
    body = []
    for r in rows:
        if r.skipped:
            body.append([r.case, r.protocol, r.strategy, "-", "-", "-", "-", "-", f"skipped: {r.skipped}"])
            continue
        diffs = str(len(r.differences)) + (f" ({r.unexplained} unexplained)" if r.unexplained else "")
        body.append([r.case, r.protocol, r.strategy, str(r.sequences), str(r.compared), str(r.equal), excluded_text(r.excluded), r.batches, diffs])
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    fmt = lambda line: "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip()  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body)])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the CI set (cases marked short)")
    parser.add_argument("--only", help="comma-separated case names")
    parser.add_argument("--out", default=str(ROOT / "out" / "triton-diff"))
    args = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason is not None:
        print(f"triton:diff: {reason}", file=sys.stderr)
        return 2
    cases = [c for c in CASES if (not args.short or c.short) and (not args.only or c.name in args.only.split(","))]
    if not cases:
        print(f"triton:diff: no case named {args.only}; cases: {', '.join(c.name for c in CASES)}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.monotonic()
    seqsim_build()
    offered = protocols()
    expected = json.loads(L0_EXPECTED.read_text())
    groups: dict[str, list] = {}
    for case in cases:
        copy, scenario = scenario_copy(case, out)
        env = hooks_env(scenario)
        groups.setdefault(json.dumps(env, sort_keys=True), []).append((case, copy, scenario))
    rows: list[Row] = []
    for key, members in groups.items():
        env = json.loads(key)
        repository = out / f"repository-{len(rows)}-{abs(hash(key)) % 10000}"
        for case, copy, _ in members:
            flags = ["--state-key", case.state_key, "--execute-delay", f"{case.execute_delay_us / 1000}ms"]
            seqsim("repo", str(copy), "-o", str(repository), "--backend", "python", "--cpu", *flags)
        # Triton's test hooks are one-shot per server process: a hooked group gets a fresh server per protocol.
        passes = [("", offered)] if not env else [(f"-{p}", {p: a}) for p, a in offered.items()]
        for suffix, protocols_of_pass in passes:
            with TritonServer(repository, env=env, log_file=out / f"{repository.name}{suffix}.log") as server:
                if not env:  # a warm-up would trip the one-shot test hook
                    for _, _, scenario in members:
                        warm_up(server.http_url, scenario["model"]["name"], scenario["model"])
                for case, copy, scenario in members:
                    for protocol, available in protocols_of_pass.items():
                        if not available:
                            rows.append(Row(case.name, protocol, "-", skipped="this build's seqsim drive has no gRPC transport"))
                        elif case.needs_ordered and protocol == "http":
                            rows.append(Row(case.name, protocol, "-", skipped="pipelined stream steps need an ordered transport (gRPC)"))
                        else:
                            rows.append(run_case(case, copy, scenario, server, protocol, out, expected))
                            print(f"triton:diff: {case.name} over {protocol}: done", file=sys.stderr, flush=True)
    print(table(rows))
    unexplained = sum(r.unexplained for r in rows)
    for r in rows:
        for diff in r.differences:
            mark = f"explained: {diff['explained']}" if diff.get("explained") else "UNEXPLAINED"
            print(f"  {r.case} ({r.protocol}) {diff['sequence']} step {diff['step']}: real {diff['real']}; simulated {diff['simulated']} [{mark}]")
        for problem in r.expected:
            print(f"  {r.case} ({r.protocol}) {problem} [UNEXPLAINED]")
    (out / "results.json").write_text(json.dumps([r.__dict__ for r in rows], indent=1) + "\n")
    ran = [r for r in rows if not r.skipped]
    print(
        f"triton:diff: {len(ran)} runs, {sum(r.compared for r in ran)} sequences compared, {sum(r.equal for r in ran)} equal, "
        f"{sum(sum(r.excluded.values()) for r in ran)} excluded, {sum(len(r.differences) for r in ran)} difference(s), "
        f"{unexplained} unexplained; {time.monotonic() - started:.0f} s; results {out / 'results.json'}"
    )
    return 0 if unexplained == 0 else 1


def seqsim_build() -> None:
    """The CLI runs from dist/bundle/: compile and bundle it first, as `npm run build` and the tests do."""
    for step in ([str(ROOT / "node_modules" / "typescript" / "bin" / "tsc"), "-p", str(ROOT / "tsconfig.build.json")], [str(ROOT / "cli" / "bundle.mjs")]):
        run = subprocess.run([node(), *step], cwd=ROOT, capture_output=True, text=True)
        if run.returncode != 0:
            raise SetupError(f"npm run build failed: {run.stdout[-500:]}{run.stderr[-500:]}")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (SetupError, StartError) as error:
        print(f"triton:diff: {error}", file=sys.stderr)
        sys.exit(2)
