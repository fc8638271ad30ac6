"""Building workload.xlsm: VBA modules, the ribbon, vbaProject.bin and MS-OVBA compression.
Only the build-xlsm command imports this package, and only when it runs.
"""
