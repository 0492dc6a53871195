"""Domain rules on the API models: statuses, deadlines, hints, summaries. Pure, no I/O."""
