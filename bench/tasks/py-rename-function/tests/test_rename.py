import pathlib
import subprocess
import sys
import unittest


class RenameTest(unittest.TestCase):
    def test_no_old_name_left(self):
        for path in pathlib.Path(".").rglob("*.py"):
            if path.name == "test_rename.py":
                continue
            self.assertNotIn("calc_total", path.read_text(), f"{path} still says calc_total")

    def test_new_name_works(self):
        from shop.pricing import order_total
        self.assertEqual(order_total([(2, 3.50), (1, 10.00)]), 20.4)

    def test_main_output_unchanged(self):
        out = subprocess.run([sys.executable, "main.py"], capture_output=True, text=True, check=True).stdout
        self.assertEqual(out, "Invoice for Ada: 2 lines, total 20.40\ncheck: 20.4\n")


if __name__ == "__main__":
    unittest.main()
