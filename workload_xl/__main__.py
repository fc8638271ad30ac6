"""`python -m workload_xl` runs the command-line interface."""

import sys

try:
    from workload_xl.cli import main
except KeyboardInterrupt:  # Ctrl-C while Python was still loading the tool
    sys.stderr.write("Stopped (Ctrl-C) before anything was done.\n")
    sys.exit(130)

main()
