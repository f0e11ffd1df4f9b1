"""GenXSOP core: the S&OP domain, its data and its calculations. No Streamlit in here."""
