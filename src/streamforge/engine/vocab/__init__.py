"""Shipped vocabulary: US places (GeoNames, CC BY 4.0; see README.md) and the word lists that
free-text fields are built from (words.py), product names by department (product_names.yml)."""
