"""QtWebEngine pages of the app: the `boxoffice:` scheme, profiles, the bridge and the views."""
