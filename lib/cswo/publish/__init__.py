"""Publishing: staging, the atomic switch, figures.csv and the private QA record."""
