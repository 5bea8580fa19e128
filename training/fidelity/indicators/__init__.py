"""Live fidelity indicators between reviews, read from the monthly returns (issue 17, point 6)."""
