"""A fake KnowBe4 API over a generated organisation, for --demo, tests and screenshots."""
