"""The cyclic garbage collector, paused while the TUI starts.

Start-up creates a few hundred thousand objects that live as long as the process (modules,
classes, Textual's styles, pydantic's validators), and the collector would rescan them
again and again while they are made: about 130 ms of a one-second start on the reference
machine. Reference counting frees everything else as usual. Collection resumes once the
first screen has data on it (or after a fallback delay): one full collection frees the
cyclic garbage start-up made, then what survives is frozen, moved out of the collector's
generations for good since nearly all of it lives as long as the process. The exception
costs little: a start-up object that becomes cyclic garbage later (the sign-in screen,
the first main screen after a profile switch) is not collected, once.
"""

from __future__ import annotations

import gc

__all__ = ["pause_collection", "resume_collection"]

_paused = False


def pause_collection() -> None:
    """Pause cyclic collection, unless it is already off (then leave it to its owner)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Freeze what start-up made and collect again. Idempotent; only undoes our own pause."""
    global _paused
    if _paused:
        _paused = False
        gc.collect()
        gc.freeze()
        gc.enable()
