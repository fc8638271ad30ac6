"""The pure core: findings and their rules, periods, values and cells, schemes, validation,
roll-up, fairness, trends and SPC, returns records, pseudonyms and CAPA. Only the standard
library is imported here, so every rule can be tested without a workbook.
"""
