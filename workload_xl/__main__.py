"""`python -m workload_xl` runs the command-line interface."""

from .cli import main

main()
