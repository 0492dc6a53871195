"""The KnowBe4 regions and their API hosts: the one list every part of kb4tui uses.

Its own module, free of httpx, so the command line can offer `--region`'s choices (and
the config validate a region) without paying for the HTTP stack before a command runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

__all__ = ["DEFAULT_REGION", "REGIONS", "REGION_NAMES", "Region"]

Region = Literal["us", "eu", "ca", "uk", "de"]
REGION_NAMES: tuple[str, ...] = get_args(Region)
DEFAULT_REGION: Region = "us"
# Region -> API root. Lookups take any string (a region typed by a user is checked here).
REGIONS: Mapping[str, str] = {
    region: f"https://{region}.api.knowbe4.com" for region in REGION_NAMES
}
