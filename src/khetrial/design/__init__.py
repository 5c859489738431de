"""Designing the next trial: power, sample size, the design check, simulated trials.

``power`` (analytic, continuity-corrected, exact Fisher), ``exact`` (Fisher p-value tables),
``check`` (the publication's stated power recomputed), ``scenario``/``trajectories``/
``simulate`` (operating characteristics of a whole design by simulation).
"""
