"""The build cache: keys, stamps and what is up to date."""
