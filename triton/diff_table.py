"""Writes the differential's tables from a run's results (triton/diff.py): every case in
docs/real-triton.md, a summary by set, protocol and strategy in the README.

    python3 triton/diff_table.py [out/triton-diff/results.json] [--check]

Each table goes between its page's `<!-- triton-diff:start -->` and `<!-- triton-diff:end -->`
lines. --check: exit 1 when a page's table differs from the results (it changes nothing).
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- triton-diff:start -->", "<!-- triton-diff:end -->"
FIXED = "Found and fixed in seqsim: drive's client oracle added the CORRID at END without an END control (`backlog-fill-corrid`)."
EXPLAINED = "explained: Triton 2.51 takes a string id on a UINT64 CORRID"


def excluded_text(excluded: dict) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in sorted(excluded.items())) or "–"


def differences(ran: list) -> str:
    count = sum(len(r["differences"]) for r in ran)
    explained = sum(1 for r in ran for d in r["differences"] if d.get("explained"))
    unexplained = sum(r["unexplained"] for r in ran)
    parts = [str(count)] + ([f"{explained} {EXPLAINED}"] if explained else []) + ([f"**{unexplained} unexplained**"] if unexplained else [])
    return ", ".join(parts)


def skipped_notes(rows: list) -> list:
    skipped: dict = {}
    for row in rows:
        if row["skipped"]:
            skipped.setdefault(f"{row['protocol']}: {row['skipped']}", []).append(row["case"])
    return [f"Not run over {reason} ({', '.join(cases)})." for reason, cases in skipped.items()]


def totals(ran: list) -> str:
    return (
        f"{len(ran)} runs: {sum(r['sequences'] for r in ran)} sequences, {sum(r['compared'] for r in ran)} compared, "
        f"{sum(r['equal'] for r in ran)} equal, {sum(sum(r['excluded'].values()) for r in ran)} excluded, "
        f"{sum(len(r['differences']) for r in ran)} differences ({sum(r['unexplained'] for r in ran)} unexplained)."
    )


def full_table(rows: list) -> str:
    lines = [
        "| Scenario | Protocol | Strategy | Sequences | Compared | Equal | Excluded (by reason) | Batch sizes | Differences |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in (r for r in rows if not r["skipped"]):
        cells = [r["case"], r["protocol"], r["strategy"], r["sequences"], r["compared"], r["equal"], excluded_text(r["excluded"]), r["batches"], differences([r])]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    ran = [r for r in rows if not r["skipped"]]
    return "\n".join([*lines, "", f"{totals(ran)} {FIXED}", *(["", *skipped_notes(rows)] if skipped_notes(rows) else [])])


def set_of(case: str) -> str:
    return "L0_sequence_batcher ports" if case.startswith("l0-") else "stress" if case == "stress" else "shipped examples"


def summary_table(rows: list) -> str:
    groups: dict = {}
    for r in (r for r in rows if not r["skipped"]):
        groups.setdefault((set_of(r["case"]), r["protocol"], r["strategy"]), []).append(r)
    lines = ["| Scenarios | Protocol | Strategy | Runs | Sequences | Compared | Equal | Excluded (by reason) | Differences |", "|---|---|---|---|---|---|---|---|---|"]
    # Rows that only differ by protocol are one row naming both: the README table stays short.
    merged: dict = {}
    for (name, protocol, strategy), ran in groups.items():
        excluded: dict = {}
        for r in ran:
            for reason, count in r["excluded"].items():
                excluded[reason] = excluded.get(reason, 0) + count
        cells = [len(ran), sum(r["sequences"] for r in ran), sum(r["compared"] for r in ran), sum(r["equal"] for r in ran)]
        rest = tuple(str(c) for c in [*cells, excluded_text(excluded), differences(ran)])
        merged.setdefault((name, strategy, rest), []).append(protocol)
    for (name, strategy, rest), protocols in merged.items():
        lines.append("| " + " | ".join([name, ", ".join(protocols), strategy, *rest]) + " |")
    return "\n".join(lines)


def rewrite(page: Path, table: str, check: bool) -> bool:
    text = page.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"diff_table: {page} has no {START} … {END} block")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    updated = f"{head}{START}\n{table}\n{END}{tail}"
    if not check:
        page.write_text(updated)
    return updated == text


def main(argv: list) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    results = Path(paths[0]) if paths else ROOT / "out" / "triton-diff" / "results.json"
    rows = json.loads(results.read_text())
    same = rewrite(ROOT / "docs" / "real-triton.md", full_table(rows), check)
    same = rewrite(ROOT / "README.md", summary_table(rows), check) and same
    if check:
        return 0 if same else 1
    print(f"diff_table: docs/real-triton.md and README.md written from {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
