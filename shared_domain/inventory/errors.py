from shared_domain.common.errors import Conflict


class BelowAllocated(Conflict):
    code = "below_allocated"
    default_message = "Stock cannot go below the units already held by orders."


class OutOfStock(Conflict):
    code = "out_of_stock"
    default_message = "Not enough stock for this order."
