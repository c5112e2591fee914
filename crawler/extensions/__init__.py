"""Scrapy extensions of the project, wired in settings.EXTENSIONS."""
