"""Write the Orders Inbox import template: static/xls/orders_inbox_import.xlsx and its CSV twin.

Run with any Python that has openpyxl (Odoo's venv has it):

    python odoo_addon/channel_fulfilment/tools/make_import_template.py

The headers are the English labels of the sale.order fields (and `Order Lines/<label>` for the lines),
which Odoo's import matches exactly, so the columns map themselves ("Order source" is channel_source).
A row with the order columns left empty is one more line of the order above it. Products are found
by their internal reference (`default_code`, our SKU); customers and delivery addresses by their name
as Odoo shows it.
"""

import csv
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

ADDON = Path(__file__).resolve().parent.parent
XLSX = ADDON / "static" / "xls" / "orders_inbox_import.xlsx"
CSV = ADDON / "static" / "xls" / "orders_inbox_import.csv"

HEADERS = [
    "Customer",
    "Delivery Address",
    "Customer Reference",
    "Order source",
    "Order Lines/Product",
    "Order Lines/Quantity",
    "Order Lines/Unit Price",
]

HELP = {
    "Customer": "The customer as Odoo names it (must exist).",
    "Delivery Address": "Where the distributors ship to: the customer or one of its delivery contacts, "
    "as Odoo names it (e.g. 'Northwind Traders Ltd, Goods In'). Empty: the customer's delivery address.",
    "Customer Reference": "The order number in your ERP/CRM (the customer's PO number).",
    "Order source": "Keep 'ERP/CRM import' (field channel_source, value import): the order goes to the "
    "Orders Inbox.",
    "Order Lines/Product": "The product's internal reference (our SKU).",
    "Order Lines/Quantity": "Units ordered.",
    "Order Lines/Unit Price": "Sell price per unit, before tax.",
}

# Two sample orders; the second row continues the first order.
ROWS = [
    [
        "Northwind Traders Ltd",
        "Northwind Traders Ltd, Goods In",
        "NW-PO-4711",
        "ERP/CRM import",
        "SKU-1001",
        3,
        129.0,
    ],
    [None, None, None, None, "SKU-1002", 1, 54.5],
    ["Contoso Retail plc", "Contoso Retail plc", "CR-88120", "ERP/CRM import", "SKU-1003", 10, 8.99],
]


def write_xlsx(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Orders Inbox"
    sheet.append(HEADERS)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for column, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.fill = bold, fill
        cell.comment = Comment(HELP[header], "Orders Inbox")
        sheet.column_dimensions[cell.column_letter].width = max(16, len(header) + 4)
    for row in ROWS:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in ROWS:
            writer.writerow(["" if value is None else value for value in row])


def main() -> int:
    write_xlsx(XLSX)
    write_csv(CSV)
    print(f"wrote {XLSX.relative_to(ADDON)} and {CSV.relative_to(ADDON)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
