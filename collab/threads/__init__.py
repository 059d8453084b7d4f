"""Discussion threads: posts, revisions, moderation, mentions, subscriptions."""
