"""Spiders: navigation only. They decide what to fetch and which responses are articles;
``crawler.parsing`` turns an article response into a Record."""
