"""Berdaya monitoring: projections of every event topic, indicators, targets, live feed and dashboard."""
