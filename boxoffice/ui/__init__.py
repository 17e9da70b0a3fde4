"""The desktop box office: PySide6 panes and presenters over `boxoffice.sdk`."""
