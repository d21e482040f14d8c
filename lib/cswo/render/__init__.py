"""Rendering: pandoc, Typst, Word finishing, contents numbering and the Quarto hand-over."""
