"""The content library: store purchases (ModStore content) and uploaded policies."""

from __future__ import annotations

import random
from typing import Any

from kb4tui.demo import vocab
from kb4tui.demo.timefmt import DAY, HOUR, iso_z, start_of_day

JSON = dict[str, Any]

# Indices into vocab.STORE_CONTENT: retired already, and retiring within 30 days.
RETIRED = {16: 200.0, 23: 45.0, 25: 400.0}
RETIRING_SOON = {19: 12.0, 21: 25.0, 28: 5.0}
# Most purchases have no policy URL; these two link the customer's own document.
WITH_POLICY_URL = {
    0: "https://intranet.{domain}/policies/security-awareness.pdf",
    8: "https://intranet.{domain}/policies/pci-cardholder-data.pdf",
}
UNPUBLISHED_POLICY = 4


def _topic(name: str) -> str:
    head = name.split(" - ")[0].split(":")[-1].strip()
    return head[0].lower() + head[1:] if head else name


def make_store_purchases(rng: random.Random, now: float, domain: str) -> list[JSON]:
    purchases: list[JSON] = []
    next_id = 8_100_000 + rng.randrange(1000)
    for index, (name, kind, minutes, publisher) in enumerate(vocab.STORE_CONTENT):
        next_id += rng.randint(5, 90)
        published = start_of_day(now - rng.uniform(120, 1400) * DAY) + 14 * HOUR
        purchased = start_of_day(rng.uniform(published + DAY, now - 60 * DAY))
        retirement: float | None = None
        if index in RETIRED:
            retirement = start_of_day(now - RETIRED[index] * DAY)
        elif index in RETIRING_SOON:
            retirement = start_of_day(now + RETIRING_SOON[index] * DAY)
        url_template = WITH_POLICY_URL.get(index)
        purchases.append(
            {
                "store_purchase_id": next_id,
                "content_type": "Store Purchase",
                "name": name,
                "description": vocab.DESCRIPTIONS[kind].format(topic=_topic(name)),
                "type": kind,
                "duration": minutes,
                "retired": index in RETIRED,
                "retirement_date": None if retirement is None else iso_z(retirement),
                "publish_date": iso_z(published),
                "publisher": publisher,
                "purchase_date": iso_z(purchased),
                "policy_url": None if url_template is None else url_template.format(domain=domain),
            }
        )
    return purchases


def make_policies(rng: random.Random) -> list[JSON]:
    policies: list[JSON] = []
    next_id = 3_050 + rng.randrange(50)
    for index, (name, minimum_time) in enumerate(vocab.POLICIES):
        next_id += rng.randint(1, 12)
        policies.append(
            {
                "policy_id": next_id,
                "content_type": "Uploaded Policy",
                "name": name,
                "minimum_time": minimum_time,
                "default_language": "en-us",
                # 1 is published (the only documented value); the draft is 0.
                "status": 0 if index == UNPUBLISHED_POLICY else 1,
            }
        )
    return policies


def policy_in_content(policy: JSON) -> JSON:
    """Inside a campaign's `content`, a policy carries `published` (bool), not `status`."""
    return {
        "policy_id": policy["policy_id"],
        "content_type": "Uploaded Policy",
        "name": policy["name"],
        "minimum_time": policy["minimum_time"],
        "default_language": policy["default_language"],
        "published": policy["status"] == 1,
    }
