"""What a visitor gets from a profile's parts for each person (templates/_person.html):
the links to report, moderate or edit it are for people signed in."""

from ..page_cache import drawn_for_visitors


@drawn_for_visitors("person_flag_links", "edit_profile_link")
def _nothing(*_ids: int) -> str:
    return ""
