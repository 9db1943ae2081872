"""Analysis: the offline analyzer, taxonomy, ranking, the validation gate and the LLM client."""
