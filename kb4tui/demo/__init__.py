"""A fake KnowBe4 Reporting API over a generated organisation, for --demo, tests and
benchmarks. Same endpoints, shapes and quirks as the real API (docs: knowbe4-api.md §7).

- `generate_org(seed, users, now)` -> `DemoOrg`: deterministic data, enrollments lazily.
- `FakeKnowBe4API(orgs, config)`: the pure request handler with its `log` and `config`.
- `FakeKnowBe4Transport(api)`: the handler inside an httpx client (no socket).
- `LoopbackServer(api, port=0)`: the handler as a real HTTP/1.1 server on 127.0.0.1.

Never imports textual.
"""

from kb4tui.demo.config import FakeAPIConfig
from kb4tui.demo.handler import DEMO_API_KEY, FakeKnowBe4API, FakeResponse
from kb4tui.demo.loopback import LoopbackServer
from kb4tui.demo.org import DemoOrg, generate_org
from kb4tui.demo.requestlog import LoggedRequest, RequestLog
from kb4tui.demo.transport import FakeKnowBe4Transport

__all__ = [
    "DEMO_API_KEY",
    "DemoOrg",
    "FakeAPIConfig",
    "FakeKnowBe4API",
    "FakeKnowBe4Transport",
    "FakeResponse",
    "LoggedRequest",
    "LoopbackServer",
    "RequestLog",
    "generate_org",
]
