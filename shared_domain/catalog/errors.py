from shared_domain.common.errors import Conflict, ValidationFailed


class SkuTaken(Conflict):
    code = "sku_taken"
    default_message = "A variant with this SKU already exists."


class VariantExists(Conflict):
    code = "variant_exists"
    default_message = "This product already has a variant of that size and colour."


class NotPublishable(ValidationFailed):
    code = "not_publishable"
    default_message = "The product is missing what it needs to go on sale."


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    default_message = "This item has already been reviewed."
