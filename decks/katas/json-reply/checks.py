"""Hidden checks: parsing a model's JSON reply."""

from katacheck import check, eq, raises, that

SCHEMA = {"name": str, "score": int}


class Repair:
    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls = []

    def __call__(self, text, problem):
        self.calls.append((text, problem))
        that(self.replies, "repair was called more often than once")
        return self.replies.pop(0)


def parse(m, text, schema=SCHEMA, repair=None):
    return m.parse_reply(text, schema, repair or Repair())


@check("parses a plain JSON object without repairing")
def _(m):
    fix = Repair('{"name": "x", "score": 0}')
    eq(parse(m, '{"name": "ada", "score": 7}', repair=fix), {"name": "ada", "score": 7}, "result")
    eq(len(fix.calls), 0, "repair calls")


@check("reads the object inside a json code fence")
def _(m):
    text = 'Here you go:\n```json\n{"name": "ada", "score": 7}\n```\nAnything else?'
    eq(parse(m, text), {"name": "ada", "score": 7}, "result")


@check("reads a fence with no language tag")
def _(m):
    eq(parse(m, '```\n{"name": "bo", "score": 1}\n```'), {"name": "bo", "score": 1}, "result")


@check("prefers the fenced object over one in the prose")
def _(m):
    text = 'You sent {"name": "old", "score": 1} before.\n```json\n{"name": "new", "score": 2}\n```'
    eq(parse(m, text), {"name": "new", "score": 2}, "result")


@check("ignores prose before and after the object")
def _(m):
    text = 'Sure! The result is {"name": "ada", "score": 7} and I hope it helps.'
    eq(parse(m, text), {"name": "ada", "score": 7}, "result")


@check("skips braces in the prose that are not JSON")
def _(m):
    text = 'Fill in {name} like so: {"name": "ada", "score": 7} (done) }'
    eq(parse(m, text), {"name": "ada", "score": 7}, "result")


@check("keeps braces inside strings")
def _(m):
    text = '{"name": "a } b {", "score": 3} trailing }'
    eq(parse(m, text), {"name": "a } b {", "score": 3}, "result")


@check("keeps nested objects and extra fields")
def _(m):
    text = '{"name": "n", "score": 2, "meta": {"k": [1, {"z": null}]}}'
    eq(parse(m, text), {"name": "n", "score": 2, "meta": {"k": [1, {"z": None}]}}, "result")


@check("uses the first object when there are two")
def _(m):
    text = '{"name": "first", "score": 1} or maybe {"name": "second", "score": 2}'
    eq(parse(m, text)["name"], "first", "name")


@check("repairs invalid JSON once")
def _(m):
    fix = Repair('{"name": "ada", "score": 7}')
    bad = '{"name": "ada", "score": 7,}'
    eq(parse(m, bad, repair=fix), {"name": "ada", "score": 7}, "result")
    eq(len(fix.calls), 1, "repair calls")
    eq(fix.calls[0][0], bad, "text handed to repair")


@check("repairs a missing field and says which")
def _(m):
    fix = Repair('{"name": "ada", "score": 7}')
    eq(parse(m, '{"name": "ada"}', repair=fix), {"name": "ada", "score": 7}, "result")
    eq(len(fix.calls), 1, "repair calls")
    that(
        "score" in fix.calls[0][1],
        f"the problem handed to repair should name 'score', got {fix.calls[0][1]!r}",
    )


@check("repairs a field of the wrong type and says which")
def _(m):
    fix = Repair('{"name": "ada", "score": 7}')
    parse(m, '{"name": "ada", "score": "seven"}', repair=fix)
    eq(len(fix.calls), 1, "repair calls")
    that(
        "score" in fix.calls[0][1],
        f"the problem handed to repair should name 'score', got {fix.calls[0][1]!r}",
    )


@check("treats true as no integer")
def _(m):
    fix = Repair('{"name": "ada", "score": 1}')
    eq(parse(m, '{"name": "ada", "score": true}', repair=fix)["score"], 1, "score")
    eq(len(fix.calls), 1, "repair calls")


@check("accepts a bool where a bool is asked for")
def _(m):
    eq(parse(m, '{"ok": false}', schema={"ok": bool}), {"ok": False}, "result")


@check("accepts an integer where a float is asked for")
def _(m):
    eq(parse(m, '{"p": 1}', schema={"p": float}), {"p": 1}, "result")
    eq(parse(m, '{"p": 0.25}', schema={"p": float}), {"p": 0.25}, "result")


@check("does not accept a string where a float is asked for")
def _(m):
    raises(m.ReplyError, parse, m, '{"p": "0.5"}', {"p": float}, Repair('{"p": "half"}'))


@check("accepts lists and objects by type")
def _(m):
    got = parse(m, '{"tags": ["a"], "meta": {}}', schema={"tags": list, "meta": dict})
    eq(got, {"tags": ["a"], "meta": {}}, "result")


@check("an empty reply goes to repair")
def _(m):
    fix = Repair('{"name": "ada", "score": 7}')
    eq(parse(m, "", repair=fix), {"name": "ada", "score": 7}, "result")
    eq(len(fix.calls), 1, "repair calls")


@check("a None reply (no content at all) goes to repair")
def _(m):
    fix = Repair('{"name": "ada", "score": 7}')
    eq(parse(m, None, repair=fix), {"name": "ada", "score": 7}, "result")
    eq(len(fix.calls), 1, "repair calls")


@check("a reply with no object at all goes to repair")
def _(m):
    fix = Repair('{"name": "ada", "score": 7}')
    eq(parse(m, "[1, 2, 3] is all I have", repair=fix)["score"], 7, "score")
    eq(len(fix.calls), 1, "repair calls")


@check("raises ReplyError when the repair fails too")
def _(m):
    fix = Repair("still not json")
    raises(m.ReplyError, parse, m, "not json", SCHEMA, fix)
    eq(len(fix.calls), 1, "repair calls")


@check("checks the repaired reply against the schema too")
def _(m):
    fix = Repair('{"name": "ada"}')
    err = raises(m.ReplyError, parse, m, '{"score": 7}', SCHEMA, fix)
    that("score" in str(err), f"the error should name the missing field 'score', got {str(err)!r}")
    eq(len(fix.calls), 1, "repair calls")


@check("reads a fenced repair")
def _(m):
    fix = Repair('```json\n{"name": "ada", "score": 7}\n```')
    eq(parse(m, "oops", repair=fix), {"name": "ada", "score": 7}, "result")
