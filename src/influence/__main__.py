"""``python -m influence``: the same as the ``influence`` command."""

from influence.cli import main

# Guarded: worker processes started with "spawn" (macOS, Windows) import this module
# as __mp_main__, and must not run the command again.
if __name__ == "__main__":
    main()
