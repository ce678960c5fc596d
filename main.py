"""Entry point: `python main.py [COMMAND]`; no command starts the window."""

from crm_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
