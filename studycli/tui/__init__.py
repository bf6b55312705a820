"""The terminal: rich and prompt_toolkit only. Styles, input and its action table, panels, the drill and mock loops, plan, grade and stats printers."""
