"""Where the top-level templates/, static/ and translations/ folders are.

In a checkout (or an editable install) they sit beside the package; a regular install
puts them under <prefix>/share/sprintboard via pyproject's data-files.
"""

import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
_INSTALLED = Path(sys.prefix) / "share" / "sprintboard"


def asset_root() -> Path:
    """The folder that holds templates/, static/ and translations/."""
    for root in (_CHECKOUT, _INSTALLED):
        if (root / "templates" / "base.html").is_file():
            return root
    raise RuntimeError(f"Sprintboard templates not found in {_CHECKOUT} or {_INSTALLED}")


TEMPLATES = "templates"
STATIC = "static"
TRANSLATIONS = "translations"
