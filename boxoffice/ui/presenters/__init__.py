"""QObject presenters: the state the panes render and the async work behind it."""
