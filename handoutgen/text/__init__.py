"""Text that every stage reads the same way: sentences, locales (codes, scripts, fonts, plural forms). Pure functions, no I/O."""
