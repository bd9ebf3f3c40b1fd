"""Disclosure control of every published figure: the public grid, the tables it is made of, primary and secondary
protection and the linear-programming audit that decides whether a release is safe. Pure rules (no I/O).

The method and its parameters are written out for the data protection officer in services/monitoring/README.md
("Disclosure control").
"""
