"""The main screen's panes (`registry.PANES`), each a `MainPane` over session data."""
