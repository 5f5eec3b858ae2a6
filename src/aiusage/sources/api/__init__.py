"""Official vendor usage APIs: what they share (paging, key checks), then one package per vendor."""
