"""Tables: reading CSV files, learning and applying preprocessing, built-in datasets, metrics."""
