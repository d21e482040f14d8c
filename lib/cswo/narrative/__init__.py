"""The narrative: role syntax, what prose needs from the data, and completeness."""
