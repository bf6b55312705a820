"""`cards list` (filters, search, views, sort, table, JSON) and what `cards show` adds."""

from __future__ import annotations

import json

import yaml

from .helpers import ROOT, answers

NOW = "2026-11-22T09:00:00+00:00"
DAY3 = "2026-11-24T09:00:00+00:00"  # when cards rated Good on NOW ("back in 2d") are due


def deck_cards() -> dict[str, dict]:
    """The bundled deck cards, read from the YAML itself (not through studycli)."""
    out = {}
    for path in sorted((ROOT / "decks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for card in data["cards"]:
            out[card["id"]] = {**card, "deck": data["id"]}
    return out


def every_card_id() -> set[str]:
    ids = set(deck_cards())
    for path in (ROOT / "incidents").glob("*.yaml"):
        inc = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids |= {f"{inc['id']}-story", f"{inc['id']}-probe"}
    return ids


def haystack(card: dict) -> str:
    return " ".join([card["question"], card["answer"], *card["key_points"], *card["tags"]]).lower()


def listed(cli, *args: str, now: str = NOW) -> list[dict]:
    r = cli("cards", "list", *args, "--json", now=now)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def drill_new(cli, n: int, ratings: str = "3", now: str = NOW) -> None:
    """Introduce n new cards, rated in turn by `ratings` (answers typed, never Again)."""
    keys = (ratings * n)[:n]
    r = cli("drill", "--new", str(n), now=now, input=answers(*keys))
    assert r.exit_code == 0, r.output


def seen_ids(cli, now: str = NOW) -> list[str]:
    return [c["id"] for c in listed(cli, now=now) if c["reviews"]]


# --------------------------------------------------------------------------- list


def test_list_every_card_as_json(cli):
    cards = listed(cli)
    assert {c["id"] for c in cards} == every_card_id()
    first = cards[0]
    for key in ("id", "deck", "level", "tags", "phase", "due", "recall_now", "lapses", "reviews"):
        assert key in first, key
    assert all(c["phase"] == "new" and c["due"] is None and c["recall_now"] is None for c in cards)


def test_table_fits_80_columns_and_names_every_column(cli):
    r = cli("cards", "list", now=NOW, env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = lines[0].split()
    for col in ("id", "deck", "level", "phase", "due", "recall", "lapses"):
        assert col in header, (col, lines[0])
    assert f"{len(every_card_id())} cards" in lines[-1]
    wide = cli("cards", "list", now=NOW, env={"COLUMNS": "120"})
    assert all(cid in wide.output for cid in every_card_id())  # ids whole, to copy


def test_filters_by_deck_tag_and_level(cli):
    rag = listed(cli, "--deck", "rag")
    assert rag and {c["deck"] for c in rag} == {"rag"}
    assert {c["id"] for c in rag} == {i for i, c in deck_cards().items() if c["deck"] == "rag"}
    staff_rag = listed(cli, "--deck", "rag", "--level", "staff")
    assert {c["id"] for c in staff_rag} == {
        i for i, c in deck_cards().items() if c["deck"] == "rag" and c["level"] == "staff"
    }
    tagged = listed(cli, "--tag", "chunking")
    assert tagged and all("chunking" in c["tags"] for c in tagged)
    bad = cli("cards", "list", "--deck", "nope", now=NOW)
    assert bad.exit_code == 2 and "--deck: no deck 'nope'" in bad.output


def test_search_every_word_case_insensitive_over_text_and_tags(cli):
    found = {c["id"] for c in listed(cli, "--search", "chunk")}
    chunking = {i for i in deck_cards() if "chunk" in i}
    assert len(chunking) >= 5 and chunking <= found
    cards = deck_cards()
    assert found == {i for i, c in cards.items() if "chunk" in haystack(c)}
    assert {c["id"] for c in listed(cli, "--search", "CHUNK")} == found
    both = {c["id"] for c in listed(cli, "--search", "chunk overlap")}
    assert both and both < found
    assert both == {i for i, c in cards.items() if {"chunk", "overlap"} <= set_of_hits(c)}
    by_tag = {c["id"] for c in listed(cli, "--search", "vector-db")}  # a tag, not in the text
    assert by_tag >= {i for i, c in cards.items() if "vector-db" in c["tags"]}
    none = cli("cards", "list", "--search", "zebra quokka", now=NOW)
    assert none.exit_code == 0 and "No card matches" in none.output


def set_of_hits(card: dict) -> set[str]:
    text = haystack(card)
    return {w for w in ("chunk", "overlap") if w in text}


def test_search_in_a_real_table(cli):
    r = cli("cards", "list", "--search", "chunk", now=NOW, env={"COLUMNS": "80"})
    assert r.exit_code == 0
    for cid in (i for i in deck_cards() if "chunk" in i):
        assert cid in r.output


def test_due_and_suspended_views(cli):
    drill_new(cli, 3)
    assert listed(cli, "--due") == []  # all three back in 2 days
    due = listed(cli, "--due", now=DAY3)
    seen = seen_ids(cli)
    assert sorted(c["id"] for c in due) == sorted(seen) and len(seen) == 3
    assert all(c["due"] == "2026-11-24" for c in due)
    assert cli("cards", "suspend", seen[0], now=NOW).exit_code == 0
    assert [c["id"] for c in listed(cli, "--suspended")] == [seen[0]]
    assert seen[0] not in {c["id"] for c in listed(cli, "--due", now=DAY3)}
    deck = next(c["deck"] for c in listed(cli) if c["id"] == seen[0])
    assert [c["id"] for c in listed(cli, "--suspended", "--deck", deck)] == [seen[0]]
    other = next(d for d in ("rag", "evals") if d != deck)
    assert listed(cli, "--suspended", "--deck", other) == []


def test_sort_orders(cli):
    drill_new(cli, 4, ratings="2343")
    by_id = [c["id"] for c in listed(cli, "--sort", "id")]
    assert by_id == sorted(by_id)
    by_recall = listed(cli, "--sort", "recall", now=DAY3)
    recalls = [c["recall_now"] for c in by_recall]
    known = [r for r in recalls if r is not None]
    assert len(known) == 4 and known == sorted(known)
    assert recalls[:4] == known  # unseen cards (no recall) come last
    by_due = listed(cli, "--sort", "due")
    dues = [c["due"] for c in by_due if c["due"] is not None]
    assert dues == sorted(dues) and [c["due"] for c in by_due[: len(dues)]] == dues
    by_lapses = listed(cli, "--sort", "lapses")
    lapses = [c["lapses"] for c in by_lapses]
    assert lapses == sorted(lapses, reverse=True)
    bad = cli("cards", "list", "--sort", "colour", now=NOW)
    assert bad.exit_code == 2 and "--sort" in bad.output


# --------------------------------------------------------------------------- show


def test_show_gives_due_date_interval_and_recall_on_the_interview_date(cli):
    cli("config", "set", "interview_date", "2026-12-20", now=NOW)
    drill_new(cli, 1)
    (cid,) = seen_ids(cli)
    r = cli("cards", "show", cid, now=NOW)
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "due 2026-11-24" in out
    assert "last interval 2d" in out
    assert "recall on 2026-12-20" in out and "(interview)" in out
    assert "recall now 100%" in out


def test_show_without_interview_or_history(cli):
    drill_new(cli, 1)
    (cid,) = seen_ids(cli)
    out = " ".join(cli("cards", "show", cid, now=DAY3).output.split())
    assert "due 2026-11-24" in out and "recall now" in out and "interview" not in out
    unseen = sorted(every_card_id() - {cid})[0]
    out = " ".join(cli("cards", "show", unseen, now=NOW).output.split())
    assert "not seen yet" in out
