"""newscrawl: a Scrapy news crawler that stores clean, deduplicated article records."""

__version__ = "0.1.0"
