"""What the UI shows, without the UI: datasets with typed keys, the repository (one path:
raw pages -> parse -> memo and cache), the connection/offline/quota/revalidation
supervisor and its events, and the wiring that builds a `Session` from settings.

Never imports textual (an import-linter contract).
"""
