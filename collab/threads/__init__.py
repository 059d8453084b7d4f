"""Discussion threads: posts, revisions, moderation, mentions, subscriptions."""

from collab.threads import models, views  # noqa: F401
