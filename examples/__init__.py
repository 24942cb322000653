"""Example suite for pytest-asyncio-ng: a tiny notes service and the tests a user would write.

This file makes ``examples`` a package, so its ``conftest`` does not clash with ``tests/conftest``
when mypy checks both, and the tests can import ``examples.notes_service``.
"""
