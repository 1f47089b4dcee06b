"""The icon set a handout's paragraph, list item, step or checklist item may name (``icon: rest``).

Each icon is a drawing of the project's own, ``assets/icons/<name>.svg``, and has a text alternative:
the English here is a catalogue entry like any other text (extracted with the handout that uses the
icon), and the translation is the image's alt text, which a screen reader says in place of the picture.
"""

from __future__ import annotations

#: Icon name -> its text alternative in English (what the picture shows, in a few plain words).
ICONS: dict[str, str] = {
    "rest": "Picture: a person resting in bed",
    "drink-water": "Picture: a glass of water",
    "no-driving": "Picture: a car with a line through it (do not drive)",
    "heat-pack": "Picture: a warm heat pack",
    "no-lifting": "Picture: a heavy box with a line through it (do not lift)",
    "walk": "Picture: a person walking",
    "call-us": "Picture: a telephone",
    "emergency": "Picture: an ambulance",
}

#: Where an icon's drawing is, relative to the project folder.
ICON_FOLDER = "assets/icons"


def icon_file(name: str) -> str:
    """The icon's SVG file, relative to the project folder: ``assets/icons/rest.svg``."""
    return f"{ICON_FOLDER}/{name}.svg"
