"""One module per workbook the tool reads or writes: its sheets, defined names, tables,
columns and field rules, and the codecs between a grid of cells and core records. Contracts
import only the core; the file and Excel edges fill a grid and decode it here.
"""
