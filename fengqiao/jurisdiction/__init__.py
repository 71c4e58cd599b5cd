"""The jurisdiction tree (A1): county → town → village → grid, joint-duty and police stations, departments."""
