"""Background work: the worker that runs danso's tasks and the schedule of daily ones."""
