"""The self-service kiosk (`boxoffice --kiosk`): a simple flow for strangers at a touch screen."""
