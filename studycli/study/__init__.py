"""Study: day planning and pacing, the drill and mock as state machines, roadmap, readiness, optimize, sync, Anki export, report data. No terminal imports."""
