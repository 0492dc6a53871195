"""The KnowBe4 Reporting API client and its models. Imports nothing from textual."""
