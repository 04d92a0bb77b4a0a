"""Across articles: recycled background, merged events and actors, timeline, trend,
positions and export.

Each module is pure functions over ``list[Article]`` or ``list[TimelineEvent]``
with thin wrappers taking a ``Store``, so they run without a store in tests and
inside the Dask engine alike.
"""
