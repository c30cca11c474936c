"""The support staff's web dashboard (issue 20): People, a person, the funnel."""
