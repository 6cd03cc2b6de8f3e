"""One module per family of sources; each source is a function (world, landing) -> rows written."""
