"""Recording equipment: registry, allocation, checkout/return, maintenance, faults, scrapping (EQ-1..5)."""
