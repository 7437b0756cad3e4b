"""Prices of orders."""

TAX_RATE = 0.2


def calc_total(lines):
    """Sum of quantity * unit price over the order lines, plus tax, rounded to cents."""
    net = sum(quantity * price for quantity, price in lines)
    return round(net * (1 + TAX_RATE), 2)
