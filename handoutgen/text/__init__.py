"""Text every stage reads the same way: sentences, numbers, locales (codes, scripts, fonts,
plural forms). Pure functions, no I/O."""
