"""Invoices as text."""

from shop.pricing import calc_total


def render(customer, lines):
    total = calc_total(lines)
    return f"Invoice for {customer}: {len(lines)} lines, total {total:.2f}"
