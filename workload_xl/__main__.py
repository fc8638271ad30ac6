"""`python -m workload_xl` runs the command-line interface."""

from workload_xl.cli import main

main()
