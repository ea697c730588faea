"""The notices' documents: Word tables made from the data, unit packages, and what arrives by e-mail read back."""
