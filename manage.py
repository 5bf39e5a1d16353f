#!/usr/bin/env python
"""Django's manage.py; the ``danso`` command does the same."""

from danso.cli import main

if __name__ == "__main__":
    main()
