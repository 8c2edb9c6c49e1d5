"""Reply notifications by email, sent through an SMTP server."""
