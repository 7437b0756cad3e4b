"""Text helpers for the blog generator."""


def slugify(title):
    """Turn a post title into a URL slug.

    - Lower-case everything.
    - Every run of characters that are not ASCII letters or digits becomes a single hyphen.
    - No hyphen at the start or the end.
    - An empty result (the title had no letters or digits) is the string "post".

    >>> slugify("Hello, World!")
    'hello-world'
    >>> slugify("  C# 12 -- what's new?  ")
    'c-12-what-s-new'
    """
    raise NotImplementedError
