"""Pure rules of the supplier's documents (RULES.md R-3): no Django. ``gstr1`` validates a GSTR-1 batch."""
