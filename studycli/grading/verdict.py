"""The model's checklist read and checked in code: parsing, evidence, score and suggestion.

Pure: no LiteLLM, no I/O. A point counts only when its quote stands in what was graded and
carries the point (see guard.py); the score and the suggested rating are computed here,
never read from the model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from studycli.content.model import Card
from studycli.grading.client import Unusable, first_json_object
from studycli.grading.evidence import MAX_QUOTE_WORDS, Claim, EvidenceCheck, weigh_claims
from studycli.grading.guard import normalise
from studycli.grading.prompt import MAX_ANSWER_CHARS, flag_ids, point_ids
from studycli.grading.result import FlagResult, PointResult
from studycli.vocab import AGAIN, EASY, GOOD, HARD

MAX_EVIDENCE_CHARS = 400  # a quote is at most 40 words
MAX_FEEDBACK_CHARS = 1200  # two or three sentences asked for; a huge reply is cut here
FLAG_PENALTY = 0.25  # score lost per verified red flag

# Words that say nothing about which key point a quote supports.
_STOPWORDS = frozenset(
    """
    the and for are but not you your yours with this that these those from into onto than then
    them they their there here what when where which while who whom why how all any both each
    few more most other some such only own same very can will just should would could may might
    must does did done doing have has had having was were been being its it's our ours out off
    over under again further once also use used uses using via per about above below between
    through during before after because until against get gets got make makes made one two way
    ways thing things lot lots well much many like answer answers question point points mark
    marked met score scores grade graded rubric every
    """.split()  # noqa: SIM905 - a word list reads better as text
)


class MalformedOutput(Unusable):
    """The model's reply holds no usable checklist."""


def parse_verdict(text: str | None) -> dict[str, Any]:
    """The first JSON object with a `points` list in a reply: bare, fenced, or inside prose."""
    if not text or not text.strip():
        raise MalformedOutput("empty reply")
    verdict = first_json_object(text, _looks_like_verdict)
    if verdict is None:
        raise MalformedOutput("no JSON checklist in the reply")
    return verdict  # type: ignore[no-any-return]


def _looks_like_verdict(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("points"), (list, dict))


_ID_RE = re.compile(r"^\s*(?:k|kp|key[ _-]?point|point|criterion)?[ _#:-]*(\d+)\s*$", re.I)

_FLAG_ID_RE = re.compile(r"^\s*(?:r|rf|red[ _-]?flag|flag)?[ _#:-]*(\d+)\s*$", re.I)


def _canonical_id(raw: Any, prefix: str, count: int) -> str | None:
    text = str(raw) if raw is not None else ""
    m = (_ID_RE if prefix == "k" else _FLAG_ID_RE).match(text)
    if not m:
        return None
    n = int(m.group(1))
    return f"{prefix}{n}" if 1 <= n <= count else None


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "met", "y", "1")
    if isinstance(value, (int, float)):
        return value == 1
    return False


def _items(value: Any, key_name: str) -> list[dict[str, Any]]:
    """A list of dicts, also accepting {"k1": {...}} and bare ids."""
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            item = dict(v) if isinstance(v, dict) else {"met": v}
            item.setdefault(key_name, k)
            out.append(item)
        return out
    if isinstance(value, list):
        return [v if isinstance(v, dict) else {key_name: v} for v in value]
    return []


def _terms(text: str) -> set[str]:
    out = set()
    for word in normalise(text).split():
        if len(word) < 3 or word in _STOPWORDS:
            continue
        out.add(word[:4])
    return out


def check_quote(evidence: str, answer_norm: str, subject: str) -> str:
    """'' when the quote is found in the answer and is about `subject`; otherwise why not."""
    parts = [
        normalise(p) for p in re.split(r"\.\.\.|…", unicodedata.normalize("NFKC", evidence or ""))
    ]
    parts = [p for p in parts if p]
    if not parts:
        return "no quote given"
    if sum(len(p.split()) for p in parts) > MAX_QUOTE_WORDS:
        return "quote too long to show one point"
    pos = 0
    padded = f" {answer_norm} "
    for part in parts:
        i = padded.find(f" {part} ", pos)
        if i < 0:
            return "quote not found in your answer"
        pos = i + len(part) + 1
    if not _terms(" ".join(parts)) & _terms(subject):
        return "quote does not mention this point"
    return ""


def evaluate(
    card: Card, answer: str, verdict: dict[str, Any], graded: str | None = None
) -> tuple[list[PointResult], list[FlagResult], str, list[str]]:
    """Turn the model's checklist into verified point and flag results (raises MalformedOutput).

    `graded` is what the model saw: the answer less text addressed to the grader. A point's
    quote must stand in it and carry the point (guard.EvidenceCheck); a red flag's quote only
    has to stand in the whole answer, since a red flag can only lower the score.
    """
    answer_norm = normalise(answer[:MAX_ANSWER_CHARS])
    graded = answer if graded is None else graded
    check = EvidenceCheck(
        card.key_points, graded[:MAX_ANSWER_CHARS], card.question, dict(card.synonyms)
    )
    ids = point_ids(card)
    notes: list[str] = []
    claimed: dict[str, dict[str, Any]] = {}
    ignored: list[str] = []
    for item in _items(verdict.get("points"), "id"):
        raw_id = item.get("id", item.get("key_point", item.get("criterion")))
        pid = _canonical_id(raw_id, "k", len(ids))
        if pid is None:
            ignored.append(str(raw_id))
        elif pid not in claimed:
            claimed[pid] = item
    if ids and not claimed:
        raise MalformedOutput("no entry has a known key point id")
    if ignored:
        notes.append("ignored unknown criterion ids: " + ", ".join(ignored[:10]))
    claims = [
        Claim(i, _evidence(claimed[pid]))
        for i, pid in enumerate(ids)
        if pid in claimed and _truthy(claimed[pid].get("met"))
    ]
    weighed = weigh_claims(check, claims)
    points: list[PointResult] = []
    for i, (pid, text) in enumerate(zip(ids, card.key_points, strict=True)):
        claim = claimed.get(pid)
        if claim is None:
            points.append(PointResult(pid, text, "unassessed", note="the grader gave no verdict"))
            continue
        evidence = _evidence(claim)
        if i not in weighed:
            points.append(PointResult(pid, text, "missed", evidence))
            continue
        problem = weighed[i].problem
        points.append(PointResult(pid, text, "unverified" if problem else "met", evidence, problem))
    missing = [p.id for p in points if p.status == "unassessed"]
    if missing:
        notes.append("no verdict for " + ", ".join(missing) + " (counted as missed)")
    fids = flag_ids(card)
    flags: list[FlagResult] = []
    seen: set[str] = set()
    for item in _items(verdict.get("red_flags"), "id"):
        fid = _canonical_id(item.get("id"), "r", len(fids))
        if fid is None or fid in seen:
            continue
        seen.add(fid)
        text = card.red_flags[int(fid[1:]) - 1]
        evidence = _evidence(item)
        problem = check_quote(evidence, answer_norm, text)
        flags.append(FlagResult(fid, text, "unverified" if problem else "hit", evidence, problem))
    flags.sort(key=lambda f: int(f.id[1:]))
    feedback = verdict.get("feedback")
    return points, flags, str(feedback).strip() if isinstance(feedback, str) else "", notes


def _evidence(item: dict[str, Any]) -> str:
    return str(item.get("evidence", item.get("quote", "")) or "").strip()[:MAX_EVIDENCE_CHARS]


def cap_verdict(verdict: dict[str, Any], count: int) -> dict[str, Any]:
    """The checklist with only what the grade uses, each string cut: a huge reply is never
    stored whole (its feedback is kept once, in the grade's own column)."""

    def item(raw: Any, keys: tuple[str, ...]) -> Any:
        if not isinstance(raw, dict):
            return str(raw)[:MAX_EVIDENCE_CHARS] if isinstance(raw, str) else raw
        return {
            k: (v[:MAX_EVIDENCE_CHARS] if isinstance(v, str) else v)
            for k, v in raw.items()
            if k in keys and isinstance(v, (str, bool, int, float))
        }

    out: dict[str, Any] = {}
    for name, keys in (
        ("points", ("id", "key_point", "criterion", "evidence", "quote", "met")),
        ("red_flags", ("id", "evidence", "quote")),
    ):
        value = verdict.get(name)
        if isinstance(value, dict):
            value = dict(list(value.items())[: count + 20])
            out[name] = {str(k)[:40]: item(v, keys) for k, v in value.items()}
        elif isinstance(value, list):
            out[name] = [item(v, keys) for v in value[: count + 20]]
    feedback = verdict.get("feedback")
    if isinstance(feedback, str):
        out["feedback"] = cut_text(feedback.strip(), MAX_FEEDBACK_CHARS)
    return out


def cut_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def score_and_rating(
    points: Sequence[PointResult], flags: Sequence[FlagResult], echo: bool = False
) -> tuple[float, int]:
    """Score in [0, 1] from verified points less red flags, and the rating it suggests.

    An answer that mostly repeats the rubric's wording is suggested Hard at best."""
    total = len(points)
    coverage = sum(p.met for p in points) / total if total else 0.0
    hits = sum(f.hit for f in flags)
    score = round(max(0.0, coverage - FLAG_PENALTY * hits), 4)
    if score >= 1.0:
        rating = EASY
    elif score >= 0.6:
        rating = GOOD
    elif score >= 0.3:
        rating = HARD
    else:
        rating = AGAIN
    if hits or echo:
        rating = min(rating, HARD)  # an answer an interviewer would mark down is never Good
    return score, rating
