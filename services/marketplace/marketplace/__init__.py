"""Berdaya marketplace service: Disperindag's trade fairs, modern retail and digital markets."""
