"""Prometheus/OpenMetrics export of the store: the collector, exposition, push and ``serve``.

``totals`` reads the cumulative counters from the store, ``readings`` the live gauges, ``health``
what the background refresh learned about each source, ``collector`` turns them into metric
families, ``exposition`` renders and writes them, ``push`` sends them to a Pushgateway and
``server`` answers scrapes.
"""
