"""Reciprocal rank fusion (RRF) for hybrid search.

Merge several ranked lists of document ids (say one from BM25 and one from a
vector index) into one ranking. A document's fused score is

    sum over the lists it appears in of  weight_i / (k + rank_i)

where rank_i is its position in list i counting from 1, and weight_i is 1.0
unless `weights` (one per list) is given.

Return (doc_id, score) pairs, highest score first; equal scores are ordered by
doc_id (ascending). With `top_n`, return only the first top_n pairs.

Edge cases to handle:
- a document repeated within one list counts once, at its best (first) rank
- empty lists, or no lists at all, are fine
- k = 0 is allowed; k < 0 raises ValueError
- `weights` of a different length than `rankings` raises ValueError
- top_n = 0 gives []; top_n larger than the number of documents gives them all
- do not modify the lists you are given

Example (k = 60): fuse([["a", "b"], ["b", "c"]])
    -> [("b", 1/62 + 1/61), ("a", 1/61), ("c", 1/62)]
"""

from collections.abc import Sequence


def fuse(
    rankings: Sequence[Sequence[str]],
    k: int = 60,
    weights: Sequence[float] | None = None,
    top_n: int | None = None,
) -> list[tuple[str, float]]:
    raise NotImplementedError
