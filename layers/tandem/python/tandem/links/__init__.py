"""The links in emails and pages: signed tokens and the URLs that carry them."""
