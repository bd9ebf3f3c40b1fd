"""`make bench`: Berdaya's pipeline measured beside the limits of the same machine, in the same run.

Not collected by pytest (testpaths = tests). Entry point: ``python -m bench``; see bench/README.md.
"""
