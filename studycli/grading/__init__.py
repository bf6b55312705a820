"""Grading typed answers against a card's key points: settings, result, prompt, verdict (pure), the LiteLLM client (lazy) and the grader."""
