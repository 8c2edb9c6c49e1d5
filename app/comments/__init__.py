"""Comments: the "Leave a Reply" form, the moderation queue, threading and spam defence."""
