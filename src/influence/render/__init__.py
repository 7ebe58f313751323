"""Faces of a report: terminal text, Markdown, HTML."""
