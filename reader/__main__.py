"""`python -m reader` runs the command line, like the `reader` console script."""

from reader.cli import main

if __name__ == "__main__":
    main()
