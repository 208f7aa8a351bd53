"""Writes the dispatch e-mail corpus (`*.eml` beside this file): run by hand when a message changes,
`python tests/dispatch/corpus/make_corpus.py`. The files are committed; tests read them as they are.

Each message imitates how a UK IT distributor writes: Westcoast's plain-text despatch confirmation with
its aligned table, TD SYNNEX's HTML shipment notification, an Exertis account manager's Outlook reply
to our PO e-mail, VIP's PDF despatch note, Target's daily CSV despatch report — and the decoys a
dispatch mailbox receives too (an invoice, an out-of-office, a stranger). What each must read as is in
`expected.toml`, written by hand, not by this script.

PDFs are rendered by wkhtmltopdf (as many distributors' systems do); the XLSX by openpyxl.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).parent
US = "Northwind IT Purchasing <purchasing@northwind-it.co.uk>"
DISPATCH = "dispatch@northwind-it.co.uk"
START = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def our_po_message_id(po: str) -> str:
    """The Message-Id our e-mail of purchase order `po` went out with (the Odoo tests post it on the PO)."""
    return f"<po-{po}.1772469600@northwind-it.co.uk>"


def message_id(number: int, domain: str) -> str:
    return f"<corpus-{number:02d}.{int(START.timestamp())}@{domain}>"


def message(number: int, sender: str, subject: str, to: str = DISPATCH, **headers) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(START + timedelta(hours=number))
    msg["Message-ID"] = message_id(number, sender.rsplit("@", 1)[1].rstrip(">"))
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    return msg


def pdf(html: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "note.html")
        target = Path(folder, "note.pdf")
        source.write_text(html, encoding="utf-8")
        subprocess.run(
            ["wkhtmltopdf", "--quiet", "--page-size", "A4", str(source), str(target)],
            check=True,
        )
        return target.read_bytes()


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Despatches"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WESTCOAST_FOOTER = """\
--
Westcoast Limited, Arrowhead Park, Arrowhead Road, Theale, Reading RG7 4AH
Tel: +44 118 912 6000   Fax: 0118 912 6001
VAT Reg No: GB 523 8876 21   Registered in England No. 01822727
"""


def westcoast_text_full() -> EmailMessage:
    msg = message(
        1,
        "Westcoast Despatch <despatch@westcoast.co.uk>",
        "Despatch Confirmation - Your Order P00012 - Westcoast Order 8123456",
    )
    msg.set_content(f"""\
Dear Customer,

Your order has been despatched in full. Details below.

Your Order Ref  : P00012
Westcoast Order : 8123456
Despatch Date   : 03/03/2026
Carrier         : DPD Next Day
Consignment No  : 15501234567890
Deliver To      : J Smith, 14 Mill Lane, Leeds LS1 4DY

Part No          Mfr Part No        Description                         Qty Ord  Qty Desp
WC-LS27C390      LS27C390EAUXXU     Samsung 27in C390 Curved Monitor          2         2
WC-920004536     920-004536         Logitech MK270 Wireless Combo UK          1         1

Track your parcel at https://www.dpd.co.uk (parcel number 15501234567890).

Queries: despatch@westcoast.co.uk or call 0118 912 6000 quoting order 8123456.

{WESTCOAST_FOOTER}""")
    return msg


def tdsynnex_html_table() -> EmailMessage:
    msg = message(
        2,
        "TD SYNNEX UK Shipping <noreply-shipping@tdsynnex.com>",
        "TD SYNNEX UK Shipment Notification - Customer PO P00013 / Sales Order 4500123456",
    )
    text = """\
Shipment Notification

Customer PO: P00013
Sales Order: 4500123456
Ship Date: 03-Mar-2026

Line  Mfr Part No    TD SYNNEX SKU  Description           Qty Ordered  Qty Shipped  Carrier  Tracking Number
1     W1A53A#B19     1299431        HP LaserJet M404dn    1            1            UPS    1Z999AA10123456784
2     KVR26S19S8/16  1187754        Kingston 16GB RAM     3            3            UPS    1Z8V5E920360012340

This is an automatically generated e-mail. Please do not reply.
TD SYNNEX UK Ltd, Redwood 2, Crockford Lane, Basingstoke RG24 8WQ. VAT GB 606 4433 38.
"""
    html = """\
<html><head><style>td{font-family:Arial;font-size:12px}</style></head><body>
<table width="640" cellpadding="0" cellspacing="0"><tr><td>
<img src="cid:tdlogo" alt="TD SYNNEX"><h2>Shipment Notification</h2>
<p>Dear Customer,<br>The following items on your order have shipped.</p>
<table cellpadding="4"><tr><td><b>Customer PO:</b></td><td>P00013</td></tr>
<tr><td><b>Sales Order:</b></td><td>4500123456</td></tr>
<tr><td><b>Ship Date:</b></td><td>03-Mar-2026</td></tr></table>
<table border="1" cellpadding="4" cellspacing="0">
<tr><th>Line</th><th>Mfr Part No</th><th>TD SYNNEX SKU</th><th>Description</th><th>Qty Ordered</th>
<th>Qty Shipped</th><th>Carrier</th><th>Tracking Number</th></tr>
<tr><td>1</td><td>W1A53A#B19</td><td>1299431</td><td>HP LaserJet Pro M404dn</td><td>1</td><td>1</td>
<td>UPS</td><td><a href="https://www.ups.com/track?tracknum=1Z999AA10123456784">1Z999AA10123456784</a></td></tr>
<tr><td>2</td><td>KVR26S19S8/16</td><td>1187754</td><td>Kingston 16GB DDR4 SODIMM</td><td>3</td><td>3</td>
<td>UPS</td><td><a href="https://www.ups.com/track?tracknum=1Z8V5E920360012340">1Z8V5E920360012340</a></td></tr>
</table>
<p style="font-size:10px">This is an automatically generated e-mail. Please do not reply.<br>
TD SYNNEX UK Ltd, Redwood 2, Crockford Lane, Basingstoke RG24 8WQ. VAT GB 606 4433 38.</p>
</td></tr></table></body></html>
"""
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[1]
    html_part.make_related()
    html_part.add_related(
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, maintype="image", subtype="png", cid="<tdlogo>"
    )
    return msg


OUR_PO_QUOTED_HTML = """\
<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">
<p><b>From:</b> Northwind IT Purchasing &lt;purchasing@northwind-it.co.uk&gt;<br>
<b>Sent:</b> 02 March 2026 16:40<br><b>To:</b> Sales &lt;sales@exertis.co.uk&gt;<br>
<b>Subject:</b> Purchase Order P00014 from Northwind IT</p></div>
<p>Please supply the following, drop-shipped to our customer:</p>
<table border="1"><tr><th>Part No</th><th>Description</th><th>Qty</th></tr>
<tr><td>BX700UI</td><td>APC Back-UPS 700VA</td><td>2</td></tr></table>
<p>Deliver to: Acme Dental, 2 Station Road, Stockport SK4 1AA. Tel: +44 161 555 0400</p>
<p>Tracking: please reply with the carrier and tracking number.</p>
"""


def exertis_outlook_reply() -> EmailMessage:
    msg = message(
        3,
        "Jo Bloggs <jo.bloggs@exertis.co.uk>",
        "RE: Purchase Order P00014 from Northwind IT",
        to=US,
        In_Reply_To=our_po_message_id("P00014"),
        References=our_po_message_id("P00014"),
    )
    text = """\
Hi,

This has gone out today with DHL, AWB 3318810025 - all items.

Kind regards,
Jo Bloggs
Account Manager | Exertis UK
T: +44 1256 345 678  M: 07700 900123

From: Northwind IT Purchasing <purchasing@northwind-it.co.uk>
Sent: 02 March 2026 16:40
To: Sales <sales@exertis.co.uk>
Subject: Purchase Order P00014 from Northwind IT

Please supply the following, drop-shipped to our customer:
Part No  Description  Qty
BX700UI  APC Back-UPS 700VA  2
Deliver to: Acme Dental, 2 Station Road, Stockport SK4 1AA. Tel: +44 161 555 0400
"""
    html = f"""\
<html><body><div class="WordSection1">
<p>Hi,</p><p>This has gone out today with DHL, AWB 3318810025 &ndash; all items.</p>
<p>Kind regards,<br>Jo Bloggs<br>Account Manager | Exertis UK<br>T: +44 1256 345 678&nbsp; M: 07700 900123</p>
<div id="appendonsend"></div>
{OUR_PO_QUOTED_HTML}
</div></body></html>
"""
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


VIP_NOTE = """\
<html><body style="font-family:Helvetica;font-size:11pt">
<h1>VIP Computers Ltd &mdash; DESPATCH NOTE</h1>
<p>Despatch Note: DN-778812<br>Date: 03/03/2026<br>Customer Order: P00015<br>VIP Order No: SO-556677</p>
<p>Carrier: Royal Mail Tracked 24<br>Tracking No: TT123456785GB</p>
<table border="1" cellpadding="4" cellspacing="0">
<tr><th>Product Code</th><th>Description</th><th>Ordered</th><th>Despatched</th><th>To Follow</th></tr>
<tr><td>MONSAM27390</td><td>Samsung 27in Curved Monitor</td><td>2</td><td>1</td><td>1</td></tr>
<tr><td>MEMKIN16S</td><td>Kingston 16GB DDR4 SODIMM</td><td>1</td><td>1</td><td>0</td></tr>
</table>
<p>Items marked To Follow are on back order and will be sent when stock arrives.</p>
<p>VIP Computers Ltd, Unit 2 Blackpole East, Worcester WR3 8SG. Tel 01905 458 000.
VAT No. GB 714 2233 09. Company No. 02711390.</p>
</body></html>
"""


def vip_pdf_partial() -> EmailMessage:
    msg = message(
        4, "VIP Despatch <despatch@vip-computers.co.uk>", "Despatch Note DN-778812 for your order P00015"
    )
    msg.set_content("""\
Good afternoon,

Please find attached despatch note DN-778812 for your order P00015.

Regards,
VIP Computers Despatch Team
""")
    msg.add_attachment(pdf(VIP_NOTE), maintype="application", subtype="pdf", filename="DN-778812.pdf")
    return msg


def target_csv_report() -> EmailMessage:
    msg = message(
        5,
        "Target Reports <reports@target-reports.co.uk>",
        "Target Components - Daily Despatch Report 03/03/2026",
    )
    msg.set_content("""\
Please find attached your daily despatch report.

This report was generated automatically by Target Components Ltd.
""")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "Despatch Date",
            "Your Order No",
            "Target Order No",
            "Part Code",
            "Description",
            "Qty",
            "Courier",
            "Consignment No",
        ]
    )
    writer.writerow(
        ["03/03/2026", "P00016", "T-880121", "920-004536", "Logitech MK270 Combo", "5", "TNT", "183928252"]
    )
    writer.writerow(
        ["03/03/2026", "P00017", "T-880122", "BX700UI", "APC Back-UPS 700VA", "1", "TNT", "480253470"]
    )
    writer.writerow(
        ["03/03/2026", "P00099", "T-880130", "KVR26S19S8/16", "Kingston 16GB", "2", "TNT", "778812346"]
    )
    msg.add_attachment(
        out.getvalue().encode("utf-8"),
        maintype="text",
        subtype="csv",
        filename="Despatch_Report_20260303.csv",
    )
    return msg


def westcoast_partial_no_lines() -> EmailMessage:
    msg = message(
        6,
        "Westcoast Despatch <despatch@westcoast.co.uk>",
        "Part Despatch - Your Order P00020 - Westcoast Order 8123999",
    )
    msg.set_content(f"""\
Dear Customer,

Part of your order P00020 was despatched today with DPD (consignment 15501234567891).
The remaining items are on back order and will follow as soon as stock arrives.

Westcoast Order: 8123999

{WESTCOAST_FOOTER}""")
    return msg


def tdsynnex_invoice() -> EmailMessage:
    msg = message(
        7,
        "TD SYNNEX UK Accounts <uk.invoices@tdsynnex.com>",
        "TD SYNNEX UK Invoice 91234567 - Customer PO P00013",
    )
    msg.set_content("""\
Dear Customer,

Please find attached invoice 91234567 for your order P00013 (Sales Order 4500123456).

Invoice total: GBP 1,234.56 including VAT. Payment terms: 30 days end of month.
Remittance to: TD SYNNEX UK Ltd, Sort Code 40-11-62, Account No 71234567.

VAT Reg: GB 606 4433 38
""")
    msg.add_attachment(
        pdf("""<html><body><h1>INVOICE 91234567</h1><p>Customer PO: P00013<br>
Sales Order: 4500123456<br>Delivery Note: 7712345678</p><table border="1"><tr><th>Mfr Part No</th><th>Qty</th>
<th>Price</th></tr><tr><td>W1A53A#B19</td><td>1</td><td>289.00</td></tr></table>
<p>VAT Reg No GB 606 4433 38</p></body></html>"""),
        maintype="application",
        subtype="pdf",
        filename="INV91234567.pdf",
    )
    return msg


def exertis_out_of_office() -> EmailMessage:
    msg = message(
        8,
        "Jo Bloggs <jo.bloggs@exertis.co.uk>",
        "Automatic reply: Purchase Order P00014 from Northwind IT",
        to=US,
        Auto_Submitted="auto-replied",
        X_Auto_Response_Suppress="All",
        In_Reply_To=our_po_message_id("P00014"),
        References=our_po_message_id("P00014"),
    )
    msg.set_content("""\
Thank you for your email. I am out of the office until Monday 9 March with no access to email.

For urgent orders please contact the sales desk on +44 161 555 0400 or sales@exertis.co.uk,
quoting your account number 5401234565.
""")
    return msg


def stranger_names_po() -> EmailMessage:
    msg = message(9, "UK Deliveries <uk.deliveries.notice@gmail.com>", "Your order P00012 has shipped")
    msg.set_content("""\
Hello,

Your order P00012 has shipped in full with UPS. Tracking number: 1Z0F28R86812345671

Confirm your delivery address at the link below to avoid return to sender.
""")
    return msg


def westcoast_gmail_quote() -> EmailMessage:
    # Sam answers his colleague's despatch confirmation (01), which went to our dispatch address
    first = message_id(1, "westcoast.co.uk")
    msg = message(
        10,
        "Sam Carter <sam.carter@westcoast.co.uk>",
        "Re: Despatch Confirmation - Your Order P00012",
        In_Reply_To=first,
        References=first,
    )
    html = """\
<div dir="ltr"><div>Hi,</div><div><br></div>
<div>Sorry &ndash; the first consignment was returned to the depot damaged. We have re-sent all items today
under DPD 15501234567893.</div><div><br></div><div>Sam</div></div><br>
<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, 3 Mar 2026 at 10:00, Westcoast Despatch
&lt;despatch@westcoast.co.uk&gt; wrote:<br></div>
<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204)">
Your order P00012 has been despatched in full.<br>Carrier: DPD<br>Consignment No: 15501234567892<br>
<table><tr><th>Part No</th><th>Qty Desp</th></tr><tr><td>WC-LS27C390</td><td>2</td></tr></table>
</blockquote></div>
"""
    msg.set_content("""\
Hi,

Sorry - the first consignment was returned to the depot damaged. We have re-sent all items today
under DPD 15501234567893.

Sam

On Tue, 3 Mar 2026 at 10:00, Westcoast Despatch <despatch@westcoast.co.uk> wrote:

> Your order P00012 has been despatched in full.
> Carrier: DPD
> Consignment No: 15501234567892
""")
    msg.add_alternative(html, subtype="html")
    return msg


def vip_bad_check_digit() -> EmailMessage:
    msg = message(11, "VIP Despatch <despatch@vip-computers.co.uk>", "Order P00015 despatched")
    msg.set_content("""\
Your order P00015 has been despatched in full via Royal Mail Special Delivery.
Tracking number: TT123456784GB

VIP Computers Despatch Team
""")
    return msg


def palletways_unknown_carrier() -> EmailMessage:
    msg = message(12, "VIP Despatch <despatch@vip-computers.co.uk>", "Pallet despatch - order P00021")
    msg.set_content("""\
Your order P00021 has been despatched in full on a pallet.

Carrier: Palletways
Consignment No: 0451234560
Expected delivery: 05/03/2026 (AM)

VIP Computers Despatch Team | Tel 01905 458 000
""")
    return msg


def westcoast_order_number_only() -> EmailMessage:
    msg = message(
        13, "Westcoast Despatch <despatch@westcoast.co.uk>", "Despatch Confirmation - Westcoast Order 8123456"
    )
    msg.set_content(f"""\
Dear Customer,

Westcoast order 8123456 has been despatched in full.

Carrier: DPD
Consignment No: 15501234567894

{WESTCOAST_FOOTER}""")
    return msg


def tdsynnex_two_pos() -> EmailMessage:
    msg = message(
        14,
        "TD SYNNEX UK Shipping <noreply-shipping@tdsynnex.com>",
        "TD SYNNEX UK Consolidated Shipment Notification",
    )
    html = """\
<html><body><p>The following orders have shipped in one consolidated delivery.</p>
<table border="1" cellpadding="4">
<tr><th>Customer PO</th><th>Sales Order</th><th>Mfr Part No</th><th>Qty Shipped</th><th>Carrier</th>
<th>Tracking Number</th></tr>
<tr><td>P00013</td><td>4500123456</td><td>W1A53A#B19</td><td>1</td><td>FedEx</td><td>772410985611</td></tr>
<tr><td>P00013</td><td>4500123456</td><td>KVR26S19S8/16</td><td>3</td><td>FedEx</td><td>772410985611</td></tr>
<tr><td>P00018</td><td>4500123499</td><td>920-004536</td><td>4</td><td>FedEx</td><td>798854003124</td></tr>
</table><p>This is an automatically generated e-mail.</p></body></html>
"""
    msg.set_content("The following orders have shipped. See the HTML version of this message.")
    msg.add_alternative(html, subtype="html")
    return msg


def exertis_xlsx_report() -> EmailMessage:
    msg = message(
        15, "Exertis Reports <despatch.reports@exertis.co.uk>", "Exertis UK - Despatch Report 03/03/2026"
    )
    msg.set_content("Your despatch report is attached.\n\nExertis UK\n")
    rows = [
        ["Exertis Despatch Report", None, None, None, None, None],
        [],
        ["Customer PO", "Exertis Order", "Part Number", "Qty Despatched", "Carrier", "Tracking Ref"],
        ["P00014", "EX-7781234", "BX700UI", 2, "DHL Express", "5401234565"],
    ]
    msg.add_attachment(
        xlsx(rows),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="Despatch_Report_03-03-2026.xlsx",
    )
    return msg


def vip_text_reply_quoted() -> EmailMessage:
    msg = message(
        16,
        "VIP Sales <sales@vip-computers.co.uk>",
        "Re: Purchase Order P00021 from Northwind IT",
        to=US,
        In_Reply_To=our_po_message_id("P00021"),
        References=our_po_message_id("P00021"),
    )
    msg.set_content("""\
Hi, all items shipped this morning with Evri, tracking H01HYA0012345678.

Thanks
Dave

On Mon, 2 Mar 2026 at 16:40, Northwind IT Purchasing <purchasing@northwind-it.co.uk> wrote:
> Please supply the following, drop-shipped to our customer:
> 10 x BX700UI APC Back-UPS 700VA
> Tracking: 1Z999AA10123456784 was on the last order; please reply with this one's.
""")
    return msg


MESSAGES = [
    ("01_westcoast_text_full", westcoast_text_full),
    ("02_tdsynnex_html_table", tdsynnex_html_table),
    ("03_exertis_outlook_reply", exertis_outlook_reply),
    ("04_vip_pdf_partial", vip_pdf_partial),
    ("05_target_csv_report", target_csv_report),
    ("06_westcoast_partial_no_lines", westcoast_partial_no_lines),
    ("07_tdsynnex_invoice", tdsynnex_invoice),
    ("08_exertis_out_of_office", exertis_out_of_office),
    ("09_stranger_names_po", stranger_names_po),
    ("10_westcoast_gmail_quote", westcoast_gmail_quote),
    ("11_vip_bad_check_digit", vip_bad_check_digit),
    ("12_palletways_unknown_carrier", palletways_unknown_carrier),
    ("13_westcoast_order_number_only", westcoast_order_number_only),
    ("14_tdsynnex_two_pos", tdsynnex_two_pos),
    ("15_exertis_xlsx_report", exertis_xlsx_report),
    ("16_vip_text_reply_quoted", vip_text_reply_quoted),
]


def main(names: list[str]) -> None:
    """Writes the messages named (all without names). PDFs carry the moment they were made, so only
    the messages that changed should be written again."""
    for name, build in MESSAGES:
        if names and name not in names:
            continue
        msg = build()
        for index, part in enumerate(msg.walk()):
            if part.is_multipart():
                part.set_boundary(f"==corpus-{name[:2]}-{index}==")
        HERE.joinpath(f"{name}.eml").write_bytes(bytes(msg))
        print(name)


if __name__ == "__main__":
    main(sys.argv[1:])
