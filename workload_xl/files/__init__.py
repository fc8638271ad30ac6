"""The file edge: reading and writing workbooks with openpyxl and python-calamine, guarding
hostile files, atomic writes, inputs and bounded reading in worker processes.
"""
