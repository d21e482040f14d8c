"""Safeguards: disclosure control, identifier scans, accessibility and PDF text read-back."""
