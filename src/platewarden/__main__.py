"""Run the command line as `python -m platewarden`."""

from platewarden.cli.main import main

main()
