"""The review cycle: fidelity reviews scheduled with two reviewers from the pool, refused for a
conflict of interest, their report and action-plan steps, and the reviews due across the network."""
