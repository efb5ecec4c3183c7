"""The extranet for people: the provider portal (/portal) and the payer console (/console)."""
