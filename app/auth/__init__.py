"""API keys: who may write, preview, read embargoed content and moderate."""
