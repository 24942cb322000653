"""Run the notes server: ``python -m examples.notes_service --db notes.sqlite3 --port 8765``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from pathlib import Path

from .server import NotesServer


async def main(db: Path, host: str, port: int) -> None:
    """Serve the notes in *db* until interrupted."""
    async with NotesServer(db, host, port) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("notes.sqlite3"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(options.db, options.host, options.port))
