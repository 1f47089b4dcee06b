"""gettext catalogues: extraction into the template, reading and writing .po files that keep work, entry states, lookups for rendering."""
