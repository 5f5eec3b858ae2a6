"""``aiusage status``: plan windows, the current 5-hour block and this month's spend, now.

For other features (the Prometheus export reads budgets and windows from here):

    from aiusage.status.gather import current_readings
    document = current_readings(settings, store, now)   # -> aiusage.status.document.StatusDocument

``current_readings`` reads only this machine: the store (status-line captures, Codex app-server
and Cursor live readings, budgets, API history) and the local logs (ingesting what is new). It
never starts ``codex`` and never calls a vendor. ``document.windows`` (``used_ratio`` 0-1 or
None, ``resets_at``, ``observed_at``, ``stale``, ``source_kind`` api|local|manual) and
``document.budgets`` (``provider`` "all" for the overall budget, ``monthly_usd``,
``spent_usd``) are what a metric needs.

Modules: ``document`` (the ``aiusage.status/1`` models), ``pace`` (pure arithmetic), ``windows``
(readings and quotas to windows), ``spend`` (month-to-date spend and budgets), ``gather`` (puts
it together), ``refresh`` (asks live sources that cost a process or a request), ``render`` and
``watch`` (the screen).
"""
