"""Machine-translated drafts, offline: argostranslate packages (install, list, load) and drafting a
catalogue's missing entries."""
