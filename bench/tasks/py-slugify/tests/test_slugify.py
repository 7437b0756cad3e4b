import unittest

from text_tools import slugify


class SlugifyTest(unittest.TestCase):
    def test_examples(self):
        self.assertEqual(slugify("Hello, World!"), "hello-world")
        self.assertEqual(slugify("  C# 12 -- what's new?  "), "c-12-what-s-new")

    def test_runs_collapse(self):
        self.assertEqual(slugify("a___b   c"), "a-b-c")

    def test_non_ascii_is_a_separator(self):
        self.assertEqual(slugify("Crème brûlée 2"), "cr-me-br-l-e-2")

    def test_nothing_left(self):
        self.assertEqual(slugify("!!! ???"), "post")
        self.assertEqual(slugify(""), "post")

    def test_digits_kept(self):
        self.assertEqual(slugify("Top 10 Tips"), "top-10-tips")


if __name__ == "__main__":
    unittest.main()
