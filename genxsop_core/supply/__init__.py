"""Supply review: supply plan versions, rough-cut capacity, proposed receipts."""
