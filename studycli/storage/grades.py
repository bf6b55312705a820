"""Rubric grading of typed answers through LiteLLM: prompt, call, checks, score, cache, cost.

The model fills in a checklist (per key point: a quote from the answer, then met or
not; which red flags the answer hits; short feedback). Everything that decides the
outcome happens here, in code: quotes are looked up in the answer, the score and the
suggested rating are computed from the verified checklist, never read from the model.
The answer is untrusted data: it travels inside delimiters with a random nonce and a
length cap, and the instructions say its content is never instructions.

Failures never cost an answer: transient errors (429, 5xx, timeouts) are retried with
exponential backoff and jitter, then the fallback models are tried in order, then the
grade is stored as pending for `studycli grade --pending`. Every attempt is one row
of the `grades` table, with tokens, cost and latency; a grade is cached on (card
content hash, answer, model, prompt version) so the same answer is never billed twice.

LiteLLM is imported only when a grade is actually requested (or warmed up in the
background by `Grader.warm_up`), with `LITELLM_LOCAL_MODEL_COST_MAP=True` so that its
import never goes to the network. Nothing here reads the clock for dates: `now` is an
argument; `time.monotonic` only measures latency.
"""

from __future__ import annotations

from studycli.storage.store import Store


def link_review(store: Store, grade_uid: str, review_uid: str, final_rating: int) -> None:
    """Tie a grade to the review it preceded and store the rating the candidate chose."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE grades SET review_uid = ?, final_rating = ? WHERE uid = ?",
            (review_uid, final_rating, grade_uid),
        )


def pending_count(store: Store) -> int:
    return int(
        store.conn.execute("SELECT count(*) FROM grades WHERE status = 'pending'").fetchone()[0]
    )
