"""The virtual trial: simulated children conducted through the web application, compared with
their true course (``khetrial virtual-trial``).

Modules, from the bottom up:

- ``parameters``: the rates (the publication's) and curve shapes (chosen) of the true courses;
- ``course``: pure, seeded draws of a child and of its true daily course;
- ``calendar``: what khetrial's study calendar makes due (the one call into the schedule);
- ``client``, ``sites``, ``conduct``: accounts and the JSON client, what a site does for a
  child, the day-by-day conduct with the application's clock set to the trial day (these need
  Django set up: import them after :func:`khetrial.edc.db.setup`);
- ``agreement``: the true bundle and the per-patient, per-endpoint comparison;
- ``run``: conduct, analyse, compare, write.
"""

__all__ = ["agreement", "calendar", "client", "conduct", "course", "parameters", "run", "sites"]
