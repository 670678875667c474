"""``python -m generation.emulator [--port 8765] ...``: the emulator without Django."""

from .cli import main

main()
