"""The KnowBe4 Reporting API client and its models. Imports nothing from textual."""

import sys

# httpx imports its own command line (`httpx._main`: click, rich.syntax, pygments) when
# those happen to be installed, ~0.1 s of start-up we never use. httpx falls back to a stub
# when that import fails, so block it before httpx is first imported.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
