import unittest

from cart import Cart


class CartTest(unittest.TestCase):
    def test_total(self):
        cart = Cart("ada")
        cart.add("pen", 1.5, 2)
        cart.add("pad", 4.0)
        self.assertEqual(cart.total(), 7.0)

    def test_carts_are_independent(self):
        first = Cart("ada")
        first.add("pen", 1.5)
        second = Cart("grace")
        self.assertEqual(second.items, [])
        self.assertEqual(second.total(), 0)

    def test_given_items_are_kept(self):
        cart = Cart("alan", [("book", 10.0, 1)])
        self.assertEqual(cart.total(), 10.0)

    def test_bad_quantity(self):
        with self.assertRaises(ValueError):
            Cart("x").add("pen", 1.0, 0)


if __name__ == "__main__":
    unittest.main()
