"""Composing papers: executed notebooks and the cover report into one document's markdown."""
