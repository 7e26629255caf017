"""Worked models that rebuild published results from the seed documents."""

#: Worked-model module names, in the order ``healthecon reproduce`` runs and prints them.
MODELS: tuple[str, ...] = ("chss", "popp", "croydon", "derby", "care_repair", "airedale", "manchester")
