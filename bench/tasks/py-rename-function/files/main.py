from shop import pricing
from shop.invoice import render

ORDER = [(2, 3.50), (1, 10.00)]

print(render("Ada", ORDER))
print("check:", pricing.calc_total(ORDER))
