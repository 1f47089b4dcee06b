"""The English content and the clinic's settings: YAML read with file and line, the handout
schema, inline markup."""
