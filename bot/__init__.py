"""VK Cloud onboarding bot: the composition root and the domain."""
