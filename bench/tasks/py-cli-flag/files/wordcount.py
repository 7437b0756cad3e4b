#!/usr/bin/env python3
"""Count the words of a text file."""
import argparse


def main():
    parser = argparse.ArgumentParser(description="Count the words of a text file.")
    parser.add_argument("file", help="the file to count")
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as f:
        text = f.read()
    print(f"{len(text.split())} {args.file}")


if __name__ == "__main__":
    main()
