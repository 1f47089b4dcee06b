"""Checks that find what would mislead a patient: translation checks (numbers, placeholders,
markup, glossary) and plain-language checks of the English."""
