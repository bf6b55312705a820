"""A small deck written the way card authors write: hard line breaks inside paragraphs,
long list items, a numbered list, a table and a coding card whose code has blank lines."""

from __future__ import annotations

from pathlib import Path

from .helpers import write

PROSE_ID, CODE_ID, TABLE_ID = "screen-prose", "screen-code", "screen-table"

DECK = """\
id: screen
title: Screen deck
description: Cards written with the line breaks authors leave in.
cards:
  - id: screen-prose
    level: junior
    tags: [screen, cost]
    source: tests
    question: How do you estimate the monthly cost of an LLM feature before it ships?
    answer: |
      I multiply out tokens, not requests, and I say the assumptions out loud so the
      interviewer can change one and watch what moves.

      Multipliers to include: retries, agent loops (multi-agent runs can burn around 15x the tokens of a chat turn), evaluation traffic, and
      embedding calls. Discounts to include: prompt caching on a stable prefix, batch pricing for
      offline work and smaller models for routing.

      What I check first:
      - Input tokens per request, counting the system prompt, few-shot examples, retrieved chunks and the conversation history, which together are usually far more than the user's own words.
      - Output tokens, which are priced higher than input tokens and grow with verbose output formats such as JSON with long keys.

      The order I present it in:
      1. The formula, with the model and price named, because the same trim can be trivial on a small model and huge on a large one.
      2. The per-query and per-month figures at the stated scale.

      Closing line: the one lever that would change the estimate most.
    key_points:
      - Cost is requests per day times 30 times the sum of input tokens times input price and output tokens times output price.
      - Count every input token, including the system prompt, examples, retrieved chunks and history; output is priced higher.
      - Include multipliers such as retries, agent loops and evaluation traffic, and discounts such as prefix caching.
      - State the assumed model, price and scale, per query and per month.
    red_flags:
      - Estimating by request count alone, without looking at the shape of each request.
    follow_ups:
      - How does the estimate change if the output length doubles?
  - id: screen-code
    level: junior
    tags: [screen, coding]
    source: tests
    question: Write a function that splits a list of token ids into overlapping windows.
    answer: |
      I validate the arguments first, because an overlap as large as the window makes the
      loop spin forever.

      ```python
      def windows(ids, size=500, overlap=50):
          if size <= 0 or not 0 <= overlap < size:
              raise ValueError("need 0 <= overlap < size")

          out = []
          for start in range(0, len(ids), size - overlap):
              out.append(ids[start:start + size])
              if start + size >= len(ids):
                  break

          return out
      ```

      It is O(n) in the number of ids, and an empty list gives an empty result.
    key_points:
      - Reject an overlap that is not smaller than the window.
      - Stop once a window reaches the end of the list.
      - An empty list gives an empty result.
  - id: screen-table
    level: junior
    tags: [screen]
    source: tests
    question: Which chunking strategy would you pick for which corpus?
    answer: |
      It depends on the documents.

      | Strategy | Good for |
      | --- | --- |
      | Fixed size | uniform prose |
      | By heading | manuals and wikis |
    key_points:
      - Match the chunker to the structure of the corpus.
      - Keep headings with the text under them.
      - Measure retrieval before and after a change.
"""


def screen_deck(folder: Path) -> Path:
    """Write the deck under `folder` and return the folder to pass as --content."""
    write(folder / "decks" / "screen.yaml", DECK)
    return folder
