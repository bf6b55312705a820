"""The mock interviewer: rephrases a question and picks the follow-up to an answer.

With a model configured, the model proposes the follow-up (checked in code, see
`grading.interviewer`); without one, the card's follow-up that matches the key points the
candidate ticked as missed is asked. When the model stops answering, the round goes on
without model follow-ups and says so once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from studycli.content.model import Card
from studycli.grading.interviewer import (
    FollowUp,
    InterviewerError,
    card_follow_up,
    follow_up,
    rephrase,
)
from studycli.grading.settings import GraderSettings


@dataclass
class Interviewer:
    settings: GraderSettings | None = None  # None: no model, follow-ups come from the card
    rephrase: bool = False
    follow_ups: bool = True
    notes: list[str] = field(default_factory=list)  # what went wrong, each said once
    model_off: bool = False

    @property
    def uses_model(self) -> bool:
        return self.settings is not None and not self.model_off

    def _note(self, text: str) -> None:
        if text and text not in self.notes:
            self.notes.append(text)

    def question(self, card: Card) -> str | None:
        """The question in other words, or None to ask it as written."""
        if not (self.rephrase and self.uses_model and self.settings is not None):
            return None
        try:
            return rephrase(self.settings, card.question)
        except InterviewerError as exc:
            self._note(f"asked as written: the model could not rephrase ({exc})")
            return None

    def follow_up(self, card: Card, answer: str, missed: list[int] | None) -> FollowUp | None:
        """The follow-up to ask; `missed` is the candidate's own tick (no model)."""
        if not (self.follow_ups and answer.strip()):
            return None  # off, or nothing to follow up on
        if self.uses_model:
            chosen, why = follow_up(self.settings, card, answer)
            if chosen is None:
                self.model_off = True
                self._note(f"{why}: the round goes on without follow-ups")
            elif why:
                self._note(why)
            return chosen
        if self.settings is not None:
            return None  # the model is off after a failure: no follow-ups, as said
        return card_follow_up(card, missed or [])
