"""Hidden checks: a ReAct tool loop against a scripted model."""

from katacheck import check, eq, raises, that


class Model:
    """Returns scripted replies in order and records the history it was shown."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.seen = []

    def __call__(self, history):
        that(isinstance(history, list), f"the model was given {type(history).__name__}, not a list")
        self.seen.append(list(history))
        that(self.replies, "the model was called again after its script ended")
        return self.replies.pop(0)


class Tool:
    def __init__(self, result=None, error=None):
        self.calls = []
        self.result = result
        self.error = error

    def __call__(self, arg):
        self.calls.append(arg)
        if self.error is not None:
            raise self.error
        return self.result


def observation(model, step):
    """The observation the model was shown before its reply number `step` (1-based)."""
    history = model.seen[step - 1]
    that(
        history and history[-1].startswith("Observation: "),
        f"the history before reply {step} should end with an observation, got {history[-1:]!r}",
    )
    return history[-1][len("Observation: ") :]


@check("returns a final answer straight away")
def _(m):
    model = Model("Final Answer: 42")
    eq(m.run_agent(model, {}, "six times seven?"), "42", "answer")
    eq(model.seen, [["Question: six times seven?"]], "history shown to the model")


@check("calls a tool and shows the model the observation")
def _(m):
    search = Tool("Paris")
    model = Model("Thought: look it up\nAction: search[ capital of France ]", "Final Answer: Paris")
    eq(m.run_agent(model, {"search": search}, "capital?"), "Paris", "answer")
    eq(search.calls, ["capital of France"], "tool calls (input stripped)")
    eq(
        model.seen[1],
        [
            "Question: capital?",
            "Thought: look it up\nAction: search[ capital of France ]",
            "Observation: Paris",
        ],
        "history at step 2",
    )


@check("keeps the whole history across steps")
def _(m):
    calc = Tool(4)
    model = Model("Action: calc[2+2]", "Action: calc[2*2]", "Final Answer: four")
    m.run_agent(model, {"calc": calc}, "q")
    eq(len(model.seen[2]), 5, "history entries at step 3")
    eq(model.seen[2][-1], "Observation: 4", "last history entry at step 3")


@check("final answer keeps every line after the marker")
def _(m):
    model = Model("Thought: done\nFinal Answer:  line one\nline two  ")
    eq(m.run_agent(model, {}, "q"), "line one\nline two", "answer")


@check("a final answer wins over an action in the same reply")
def _(m):
    search = Tool("x")
    model = Model("Action: search[x]\nFinal Answer: done")
    eq(m.run_agent(model, {"search": search}, "q"), "done", "answer")
    eq(search.calls, [], "tool calls")


@check("reports an unknown tool and lists the real ones")
def _(m):
    model = Model("Action: browse[x]", "Final Answer: ok")
    m.run_agent(model, {"search": Tool("r"), "calc": Tool(1)}, "q")
    eq(
        observation(model, 2),
        "Error: unknown tool 'browse'; available: calc, search",
        "observation",
    )


@check("feeds a tool's exception back as an observation")
def _(m):
    model = Model("Action: search[x]", "Final Answer: gave up")
    tools = {"search": Tool(error=TimeoutError("upstream took too long"))}
    eq(m.run_agent(model, tools, "q"), "gave up", "answer")
    eq(observation(model, 2), "Error: TimeoutError: upstream took too long", "observation")


@check("reports a malformed action")
def _(m):
    search = Tool("r")
    model = Model("I will search for it", "Action: search(x)", "Final Answer: ok")
    m.run_agent(model, {"search": search}, "q")
    that(
        observation(model, 2).startswith("Error: malformed action"),
        f"expected a malformed-action error, got {observation(model, 2)!r}",
    )
    that(
        observation(model, 3).startswith("Error: malformed action"),
        f"'Action: search(x)' should be malformed, got {observation(model, 3)!r}",
    )
    eq(search.calls, [], "tool calls")


@check("reports an empty reply")
def _(m):
    model = Model("", "   ", "Final Answer: ok")
    m.run_agent(model, {}, "q")
    that(
        observation(model, 2).startswith("Error: empty reply"),
        f"expected an empty-reply error, got {observation(model, 2)!r}",
    )
    that(
        observation(model, 3).startswith("Error: empty reply"),
        f"a blank reply should count as empty, got {observation(model, 3)!r}",
    )


@check("treats a None reply as empty")
def _(m):
    model = Model(None, "Final Answer: ok")
    eq(m.run_agent(model, {}, "q"), "ok", "answer")
    eq(model.seen[1][1], "", "history entry for the None reply")
    that(
        observation(model, 2).startswith("Error: empty reply"),
        f"expected an empty-reply error, got {observation(model, 2)!r}",
    )


@check("finds the action line among thoughts")
def _(m):
    calc = Tool(9)
    model = Model("Thought: I need maths.\nAction: calc[3*3]\nThat should do.", "Final Answer: 9")
    m.run_agent(model, {"calc": calc}, "q")
    eq(calc.calls, ["3*3"], "tool calls")


@check("stops at the step cap")
def _(m):
    model = Model(*["Action: search[again]"] * 10)
    search = Tool("nothing")
    raises(m.StepLimitError, m.run_agent, model, {"search": search}, "q", 3)
    eq(len(model.seen), 3, "model calls")
    eq(len(search.calls), 3, "tool calls")


@check("a final answer on the last allowed step counts")
def _(m):
    model = Model("Action: s[x]", "Final Answer: just in time")
    eq(m.run_agent(model, {"s": Tool("r")}, "q", 2), "just in time", "answer")


@check("refuses a step cap below one")
def _(m):
    model = Model("Final Answer: x")
    raises(ValueError, m.run_agent, model, {}, "q", 0)
    eq(len(model.seen), 0, "model calls")


@check("cuts long tool output")
def _(m):
    model = Model("Action: fetch[page]", "Final Answer: ok")
    m.run_agent(model, {"fetch": Tool("x" * 5000)}, "q")
    eq(observation(model, 2), "x" * 500 + " [truncated]", "observation")


@check("keeps tool output of exactly 500 characters whole")
def _(m):
    model = Model("Action: fetch[page]", "Final Answer: ok")
    m.run_agent(model, {"fetch": Tool("y" * 500)}, "q")
    eq(observation(model, 2), "y" * 500, "observation")


@check("shows non-text tool results as text")
def _(m):
    model = Model("Action: lookup[k]", "Final Answer: ok")
    m.run_agent(model, {"lookup": Tool({"k": 1})}, "q")
    eq(observation(model, 2), "{'k': 1}", "observation")


@check("the model cannot change the loop's history")
def _(m):
    class Vandal(Model):
        def __call__(self, history):
            reply = super().__call__(history)
            history.clear()
            return reply

    model = Vandal("Action: s[x]", "Final Answer: ok")
    m.run_agent(model, {"s": Tool("r")}, "q")
    eq(len(model.seen[1]), 3, "history entries at step 2")


@check("a step cap of one allows exactly one reply")
def _(m):
    eq(m.run_agent(Model("Final Answer: one"), {}, "q", 1), "one", "answer")
    model = Model("Action: s[x]", "Final Answer: late")
    raises(m.StepLimitError, m.run_agent, model, {"s": Tool("r")}, "q", 1)
    eq(len(model.seen), 1, "model calls")


@check("allows eight steps by default")
def _(m):
    model = Model(*["Action: s[x]"] * 7, "Final Answer: eighth")
    eq(m.run_agent(model, {"s": Tool("r")}, "q"), "eighth", "answer")
    model = Model(*["Action: s[x]"] * 8, "Final Answer: ninth")
    raises(m.StepLimitError, m.run_agent, model, {"s": Tool("r")}, "q")
    eq(len(model.seen), 8, "model calls")
