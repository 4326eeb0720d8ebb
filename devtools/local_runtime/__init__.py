"""The local runtime: the tenant's handlers on an embedded AWS, behind a local HTTP server."""

PORT = 8000  # `tandem serve`'s, unless told another
ADDRESS = f"http://127.0.0.1:{PORT}"
