"""Contracts every Berdaya service and subscribing agency shares, and the small reliable-messaging runtime."""
