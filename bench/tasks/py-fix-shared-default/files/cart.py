"""A shopping cart."""


class Cart:
    def __init__(self, owner, items=[]):
        self.owner = owner
        self.items = items

    def add(self, name, price, quantity=1):
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
        self.items.append((name, price, quantity))

    def total(self):
        return round(sum(price * quantity for _, price, quantity in self.items), 2)
