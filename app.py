"""The browser app. ``create_app()`` builds it; ``main()`` (or ``interviewer app``) serves it.

    python app.py [--host 127.0.0.1] [--port 7860]

Importing this module starts nothing: tests and benchmarks build the app and drive it.
"""

from __future__ import annotations

import argparse

from interviewer.ui.app import create_app, launch

__all__ = ["create_app", "launch", "main"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the interviewer app on this machine.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)
    launch(create_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
