"""The `boxoffice` command: the dispatcher (`main`), the client commands over the SDK, the sale,
the venue server's commands, and the one exit-code table they all use (`output`)."""
