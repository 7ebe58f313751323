"""The analysis engine: coverage, network influence, introduction paths, risk, actions."""
