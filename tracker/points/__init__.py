"""The acupuncture point catalog: WHO points and extra points, aliases, search, browsing."""
