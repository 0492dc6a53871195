"""Export records as CSV or JSON: columns, filters, streaming writers, atomic output.

No textual here: the CLI (`kb4tui export`/`kb4tui get`) and the TUI's export action share
these pieces. JSON keeps the API's own records; CSV flattens typed models into the stable
columns documented in `columns.py`.
"""

# Submodules are imported where used; re-exporting them here would load all of them (and
# the writers' and runner's imports) whenever any one is needed.
