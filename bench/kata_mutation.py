"""Mutation score of each kata's hidden checks: do they catch small mistakes?

Each kata's reference solution is mutated one small change at a time (a flipped or
shifted comparison, a dropped statement, an integer constant off by one, `and`
swapped with `or`, an arithmetic operator swapped, a `not` dropped, True for False), and the kata's checks run against every mutant in the same
sandbox `studycli kata check` uses. A mutant is killed when any check fails (or it
no longer loads, or it hangs); the score is killed / mutants. Some mutants do not
change behaviour at all (equivalent mutants), so 1.0 is rarely reachable.

    python bench/kata_mutation.py [KATA ...] [--survivors] [--json FILE] [--min 0.8]

Exit status 1 when the overall score is below --min.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studycli.study.kata_runner import run_checks  # noqa: E402

KATAS = ROOT / "decks" / "katas"

# Each comparison's mutants: its negation and its boundary shift.
COMPARE_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.GtE, ast.LtE),
    ast.LtE: (ast.Gt, ast.Lt),
    ast.Gt: (ast.LtE, ast.GtE),
    ast.GtE: (ast.Lt, ast.Gt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
}
ARITH_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv,
}  # fmt: skip
SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Pow: "**", ast.Mod: "%",
}  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    line: int
    what: str
    source: str


def _docstring(node: ast.AST, stmt: ast.stmt) -> bool:
    body = getattr(node, "body", None)
    return (
        isinstance(body, list)
        and body
        and body[0] is stmt
        and isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _sites(tree: ast.Module) -> Iterator[tuple[str, tuple[int, ...]]]:
    """(kind, path) of every mutation site; a path indexes ast.walk order of the tree."""
    nodes = list(ast.walk(tree))
    for i, node in enumerate(nodes):
        if isinstance(node, ast.Compare):
            for j, op in enumerate(node.ops):
                for k in range(len(COMPARE_SWAPS.get(type(op), ()))):
                    yield "compare", (i, j, k)
        elif isinstance(node, ast.BoolOp):
            yield "boolop", (i,)
        elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in ARITH_SWAPS:
            if not (isinstance(node, ast.BinOp) and _is_text(node)):
                yield "arith", (i,)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield "not", (i,)
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            yield "bool", (i,)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int)
            and not isinstance(node.value, bool)
        ):
            yield "int+", (i,)
            yield "int-", (i,)
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if not isinstance(body, list):
                continue
            for j, stmt in enumerate(body):
                if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef,
                                     ast.AsyncFunctionDef, ast.Pass)):  # fmt: skip
                    continue
                if _docstring(node, stmt):
                    continue
                yield f"drop:{field}", (i, j)


def _is_text(node: ast.BinOp) -> bool:
    """A string concatenation or %-format: swapping its operator is not a logic mutant."""
    return any(
        isinstance(side, (ast.JoinedStr,))
        or (isinstance(side, ast.Constant) and isinstance(side.value, str))
        for side in (node.left, node.right)
    )


def mutants(source: str) -> Iterator[Mutant]:
    tree = ast.parse(source)
    for kind, path in _sites(tree):
        mutated = copy.deepcopy(tree)
        nodes = list(ast.walk(mutated))
        node = nodes[path[0]]
        line = getattr(node, "lineno", 0)
        if kind == "compare":
            assert isinstance(node, ast.Compare)
            j, k = path[1], path[2]
            old = type(node.ops[j])
            new = COMPARE_SWAPS[old][k]
            node.ops[j] = new()
            what = f"{SYMBOL[old]} -> {SYMBOL[new]}"
        elif kind == "boolop":
            assert isinstance(node, ast.BoolOp)
            swapped = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            what = f"{'and -> or' if isinstance(node.op, ast.And) else 'or -> and'}"
            node.op = swapped
        elif kind == "arith":
            assert isinstance(node, (ast.BinOp, ast.AugAssign))
            old_op = type(node.op)
            node.op = ARITH_SWAPS[old_op]()
            what = f"{SYMBOL[old_op]} -> {SYMBOL[type(node.op)]}"
        elif kind == "not":
            assert isinstance(node, ast.UnaryOp)
            parent = next(p for p in nodes if any(c is node for c in ast.iter_child_nodes(p)))
            for name, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, name, node.operand)
                elif isinstance(value, list):
                    value[:] = [node.operand if v is node else v for v in value]
            what = "drop `not`"
        elif kind == "bool":
            assert isinstance(node, ast.Constant)
            what = f"{node.value} -> {not node.value}"
            node.value = not node.value
        elif kind in ("int+", "int-"):
            assert isinstance(node, ast.Constant)
            delta = 1 if kind == "int+" else -1
            what = f"{node.value} -> {node.value + delta}"
            node.value = node.value + delta
        else:
            field = kind.split(":")[1]
            body = getattr(node, field)
            stmt = body[path[1]]
            line = stmt.lineno
            what = f"drop `{ast.unparse(stmt).splitlines()[0][:50]}`"
            body[path[1]] = ast.copy_location(ast.Pass(), stmt)
        ast.fix_missing_locations(mutated)
        yield Mutant(line, what, ast.unparse(mutated))


def kata_entry(kata: Path) -> tuple[str, ...]:
    import yaml

    data = yaml.safe_load((kata / "kata.yaml").read_text(encoding="utf-8"))
    return tuple(data.get("entry") or ())


def score_kata(kata: Path, check_seconds: float) -> tuple[int, list[Mutant]]:
    """(mutants tried, survivors) for one kata."""
    entry = kata_entry(kata)
    checks = kata / "checks.py"
    base = run_checks(checks, kata / "solution.py", entry=entry)
    if not base.passed:
        raise SystemExit(f"{kata.name}: the reference solution fails: {base.lines[:3]}")
    survivors: list[Mutant] = []
    tried = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.py"
        for m in mutants((kata / "solution.py").read_text(encoding="utf-8")):
            tried += 1
            path.write_text(m.source, encoding="utf-8")
            result = run_checks(
                checks, path, entry=entry, check_seconds=check_seconds, total_seconds=20
            )
            if result.passed:
                survivors.append(m)
    return tried, survivors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("katas", nargs="*", help="kata ids (default: all)")
    ap.add_argument("--survivors", action="store_true", help="list the mutants no check caught")
    ap.add_argument("--json", type=Path, help="write the scores to this file")
    ap.add_argument("--min", type=float, default=0.8, help="lowest overall score accepted")
    ap.add_argument("--check-seconds", type=float, default=1.0)
    args = ap.parse_args()
    dirs = sorted(p for p in KATAS.iterdir() if (p / "kata.yaml").is_file())
    if args.katas:
        dirs = [d for d in dirs if d.name in args.katas]
    total_tried = total_killed = 0
    scores: dict[str, dict[str, float | int]] = {}
    started = time.monotonic()
    print(f"{'kata':<22} {'mutants':>7} {'killed':>6} {'score':>6}")
    for kata in dirs:
        tried, survivors = score_kata(kata, args.check_seconds)
        killed = tried - len(survivors)
        total_tried += tried
        total_killed += killed
        score = killed / tried if tried else 1.0
        scores[kata.name] = {"mutants": tried, "killed": killed, "score": round(score, 3)}
        print(f"{kata.name:<22} {tried:>7} {killed:>6} {score:>6.2f}", flush=True)
        if args.survivors:
            for m in survivors:
                print(f"    survived: line {m.line}: {m.what}")
    overall = total_killed / total_tried if total_tried else 1.0
    print(f"{'overall':<22} {total_tried:>7} {total_killed:>6} {overall:>6.2f}")
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(
            json.dumps({"katas": scores, "overall": round(overall, 3)}, indent=2) + "\n",
            encoding="utf-8",
        )
    return 0 if overall >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
