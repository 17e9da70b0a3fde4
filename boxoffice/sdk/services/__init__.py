"""One module per SDK service, as the vendor's SDK has them."""
