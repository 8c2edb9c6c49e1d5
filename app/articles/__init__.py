"""Articles: the stories themselves, their body blocks, bylines and corrections."""
