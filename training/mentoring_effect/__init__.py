"""Does mentoring work: mentored sites before and after mentoring began, and a funnel plot of
sites' employment rates (issue 17, point 8)."""
