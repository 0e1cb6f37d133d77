"""规划指标体系: a plan's indicator table — parsing its cells (targets), the table as plain data
(table), which way is better (directions), the measure catalog (catalog), loading the data files
(seed), the .xlsx template (xlsx) and writing a checked table to the database (services)."""
