"""Search that understands word forms: stems of Russian, Kazakh and English words, shared by the index and the query."""
