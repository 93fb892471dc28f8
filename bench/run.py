"""Run every benchmark (``bench/bench_*.py``) and print one table: ``./dev bench``.

Each benchmark runs in its own process so peak memory is its own, not the sum of all.
``./dev bench index scoring`` runs only those whose names contain the words given.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).parent


def run_one(module: str) -> list[dict[str, object]]:
    code = f"import json, {module} as m; print('__ROWS__' + json.dumps(m.run()))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=HERE.parent)
    for line in res.stdout.splitlines():
        if line.startswith("__ROWS__"):
            return list(json.loads(line[len("__ROWS__") :]))
    err = (res.stderr.strip().splitlines() or ["no output"])[-1]
    return [{"name": f"{module}: FAILED ({err})", "ok": False}]


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")]
    modules = [f"bench.{p.stem}" for p in sorted(HERE.glob("bench_*.py"))]
    if wanted:
        modules = [m for m in modules if any(w in m for w in wanted)]
    table = Table("benchmark", "n", "median ms", "p95 ms", "peak RSS MB", "target", "ok")
    all_rows = []
    for module in modules:
        for r in run_one(module):
            all_rows.append(r)

            def fmt(key: str, row: dict[str, object] = r) -> str:
                v = row.get(key)
                return f"{v:.1f}" if isinstance(v, float) else ("" if v is None else str(v))

            table.add_row(
                str(r["name"]),
                fmt("n"),
                fmt("median_ms"),
                fmt("p95_ms"),
                fmt("peak_rss_mb"),
                str(r.get("target", "")),
                "yes" if r.get("ok") else "NO",
            )
    Console(width=160).print(table)
    if "--json" in argv:
        print(json.dumps(all_rows, indent=2))
    return 0 if all(r.get("ok") for r in all_rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
