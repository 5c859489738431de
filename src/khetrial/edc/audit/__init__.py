"""The study-wide audit trail: append-only, who / when (UTC) / old / new / reason."""
