"""Shipped vocabulary: US places (GeoNames, CC BY 4.0; see README.md) and the word lists that
product names and free-text fields are built from (words.py)."""
