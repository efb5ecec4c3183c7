"""Pure AMO rules and use cases. Imports the standard library only."""
