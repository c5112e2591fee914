"""Downloader middlewares of the project, wired in settings.DOWNLOADER_MIDDLEWARES."""
