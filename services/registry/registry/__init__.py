"""Berdaya registry service: the program's source of truth about women, their businesses and cooperatives."""
