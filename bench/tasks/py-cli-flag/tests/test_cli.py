import subprocess
import sys
import tempfile
import unittest


def run(*args):
    return subprocess.run([sys.executable, "wordcount.py", *args], capture_output=True, text=True)


class CliTest(unittest.TestCase):
    def setUp(self):
        self.file = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        self.file.write("one two three\nfour five\n\nsix\n")
        self.file.close()

    def test_words_unchanged(self):
        self.assertEqual(run(self.file.name).stdout, f"6 {self.file.name}\n")

    def test_lines_flag(self):
        result = run("--lines", self.file.name)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, f"4 {self.file.name}\n")

    def test_help_mentions_flag(self):
        self.assertIn("--lines", run("--help").stdout)


if __name__ == "__main__":
    unittest.main()
