"""Reviewers' edits and comments, from the Word papers back to the notebooks, parameters and data."""
