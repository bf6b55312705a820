"""Printable outputs: cheat sheets and progress reports as Markdown, HTML and PDF, and the
terminal view of `studycli stats`.

Each output is first built as a `blocks.Document` (cheatsheet.py, report.py); the writers
(markdown.py, html.py, pdf.py) render any Document, and charts.py draws the charts as SVG
for both HTML and PDF. Nothing here reads the clock or the database.
"""
