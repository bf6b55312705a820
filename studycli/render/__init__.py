"""Printable outputs: cheat sheets and progress reports as Markdown, HTML and PDF, with SVG charts."""
