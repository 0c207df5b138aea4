"""What the models announce. Notifications, following and email listen (connected in
create_app), so the models import nothing above them and a new listener is one more
subscriber rather than one more import in models.py.

Receivers run at once, in the sender's transaction and session: what they write is
committed, or rolled back, with the change that made them.
"""

from blinker import Namespace

_signals = Namespace()

# Sent by Event.record once the event has an id; keyword argument: event.
event_recorded = _signals.signal("event-recorded")
# Sent when someone newly supports an idea; keyword arguments: idea, user.
idea_supported = _signals.signal("idea-supported")
