"""Regional trainers' work: assignments to sites, fidelity reviews, visits and agreed actions."""
