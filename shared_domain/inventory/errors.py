from shared_domain.common.errors import Conflict


class BelowAllocated(Conflict):
    code = "below_allocated"
    default_message = "Stock cannot go below the units already allocated to orders."
