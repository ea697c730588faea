"""The notices' documents: Word tables made from the data, unit packages, e-mailed forms read back."""
