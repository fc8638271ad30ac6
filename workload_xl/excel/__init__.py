"""The live-Excel edge: buttons and user-defined functions through xlwings.

Nothing here holds workload logic: each entry point reads a whole range through xlwings, calls
the same core the command line uses, and writes whole ranges back. `buttons` lists the
buttons as data, for the ribbon, the VBA that calls them and the tests.
"""
