"""Development tools, outside what a Lambda or a production install ships: the `tandem` command,
the local runtime on embedded AWS, and the simulated company.
"""
