"""The remote side: a narrow gateway to Confluence, one retry policy, and the only writer."""
