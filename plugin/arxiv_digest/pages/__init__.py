"""Pages: the store as Markdown pages of a Material site (days, papers, tags, archive, status) and the feed."""
