"""Problems the view beacon raises."""

from app.core.errors import RateLimited


class TooManyViews(RateLimited):
    """Too many view beacons from one address in a minute."""

    type_slug = "too-many-views"
    title = "Too many views"
    advice = "Send one beacon per page view; wait the seconds `Retry-After` gives."
