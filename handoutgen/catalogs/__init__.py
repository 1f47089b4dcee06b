"""gettext catalogues: extraction into the template, .po files read strictly and written keeping
every unchanged line, entry states, lookups for rendering."""
