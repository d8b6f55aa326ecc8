"""Analytics: daily rollups of each vendor's sales, kept by reacting to the orders and
payments events, and the vendor dashboard read from them."""
