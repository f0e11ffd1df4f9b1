"""Security checks across the product: who may write what, user text on screen, how SQL is built."""
