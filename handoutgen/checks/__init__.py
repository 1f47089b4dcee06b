"""Checks that find what would mislead a patient: translation checks (numbers, negations, units,
placeholders, markup, glossary) and plain-language checks of the English.

``translation`` runs the translation checks over an entry or a catalogue; ``issues`` names them,
and ``numbers``, ``negation``, ``units``, ``tokens``, ``additions``, ``glossary``, ``untranslated``,
``length`` and ``sentences`` hold them.  ``literacy`` runs the plain-language checks over the
handouts; ``handout_rules`` and ``plain_language`` hold the rules, ``report`` prints the result.
Both report ``findings.Finding``; ``runner`` collects the translation findings per catalogue entry."""
