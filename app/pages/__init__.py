"""What readers fetch: the article list and the article page, with the other parts of the page
(related articles, comments, the author's latest) embedded on request."""
