"""Routes of imports (CSV files of cards or actors; Trello boards)."""

ROUTES = {
    "imports.index": ("p", "edit"),
    "imports.csv_preview": ("p", "edit"),
    "imports.csv_import": ("p", "edit"),
    "imports.trello_preview": ("p", "manage"),
    "imports.trello_import": ("p", "manage"),
}
