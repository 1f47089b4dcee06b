"""Text every stage reads the same way: sentences, numbers, negations and units (in every script the
checks know), writing systems, locales (codes, fonts, plural forms), and the readability statistics
of English (words, syllables, grade). Pure functions, no I/O beyond the data files of Babel and
Pyphen."""
