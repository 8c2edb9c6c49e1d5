"""The ASGI middlewares a request passes through."""
