"""Rewrites the README's real-Triton table from a differential run's results (triton/diff.py).

    python3 triton/diff_table.py [out/triton-diff/results.json] [--check]

The table goes between the README's `<!-- triton-diff:start -->` and `<!-- triton-diff:end -->`
lines. --check: exit 1 when the README's table differs from the results (it changes nothing).
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- triton-diff:start -->", "<!-- triton-diff:end -->"
FIXED = (
    "Found and fixed in seqsim: drive's client oracle added the CORRID at END without an END control "
    "(`backlog-fill-corrid`; Triton and the simulator agreed)."
)


def differences(row: dict) -> str:
    if row["skipped"]:
        return f"skipped: {row['skipped']}"
    if not row["differences"] and not row["expected"]:
        return "0"
    explained = [d for d in row["differences"] if d.get("explained")]
    parts = [f"{len(row['differences'])}"]
    if explained:
        parts.append(f"{len(explained)} explained: Triton 2.51 takes a string id on a UINT64 CORRID")
    if row["unexplained"]:
        parts.append(f"**{row['unexplained']} unexplained**")
    return ", ".join(parts)


def table(rows: list) -> str:
    lines = [
        "| Scenario | Protocol | Strategy | Sequences | Compared | Equal | Excluded (by reason) | Batch sizes | Differences |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    skipped: dict = {}
    for row in rows:
        if row["skipped"]:
            skipped.setdefault(f"{row['protocol']}: {row['skipped']}", []).append(row["case"])
            continue
        excluded = ", ".join(f"{reason} {count}" for reason, count in row["excluded"].items()) or "–"
        cells = [row["case"], row["protocol"], row["strategy"], row["sequences"], row["compared"], row["equal"], excluded, row["batches"], differences(row)]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    ran = [row for row in rows if not row["skipped"]]
    total = (
        f"{len(ran)} runs: {sum(r['sequences'] for r in ran)} sequences, {sum(r['compared'] for r in ran)} compared, "
        f"{sum(r['equal'] for r in ran)} equal, {sum(sum(r['excluded'].values()) for r in ran)} excluded, "
        f"{sum(len(r['differences']) for r in ran)} differences ({sum(r['unexplained'] for r in ran)} unexplained). {FIXED}"
    )
    notes = [f"Not run over {reason} ({', '.join(cases)})." for reason, cases in skipped.items()]
    return "\n".join([*lines, "", total, *(["", *notes] if notes else [])])


def main(argv: list) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    results = Path(paths[0]) if paths else ROOT / "out" / "triton-diff" / "results.json"
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        print(f"diff_table: README.md has no {START} … {END} block", file=sys.stderr)
        return 2
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    updated = f"{head}{START}\n{table(json.loads(results.read_text()))}\n{END}{tail}"
    if check:
        return 0 if updated == text else 1
    readme.write_text(updated)
    print(f"diff_table: README.md table written from {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
