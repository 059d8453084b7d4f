"""Working groups, membership, join requests and invitations."""
