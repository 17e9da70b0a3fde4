"""The Qt-free core of the desktop app: its arguments, settings, the embedded server's
supervision and the sale journal."""
