"""``preview``: build into a private local wiki, serve its HTML view, rebuild on every save."""
