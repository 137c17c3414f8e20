"""Small real files of every format an archive holds, made by the tests themselves: a two-page PDF whose
answer is on page 2, a two-column PDF written across its columns line by line, a scanned PDF (an image,
no text layer), a Word file, an RSS and an Atom feed, and a JSON Lines file with a bad record."""

from __future__ import annotations

import json
from pathlib import Path

# Page 2 of the PDF holds the answer to QUESTION; nothing else in these files does.
QUESTION = "How long is the third cable of the harbour bridge?"
ANSWER_SENTENCE = "The third cable is 212 metres long and weighs nearly nine tonnes."
PDF_OUTLET, PDF_DATE = "The Kestrel Bay Courier", "14 March 2026"

PAGE_1 = [
    "Harbour bridge repairs to finish two months early",
    "Repairs to the Kestrel Bay harbour bridge will be finished by the end of May, two months earlier than "
    "planned, the town council said on Friday.",
    "The bridge, which carries about 18,000 vehicles a day, has been limited to one lane in each direction since "
    "a routine inspection in October found corrosion in three of its steel cables.",
    "Council engineer Maria Okafor said the contractor had replaced the first two cables ahead of schedule "
    "because the winter had been unusually dry.",
]
PAGE_2 = [
    "The last cable arrived by sea from a mill in Gdansk on Tuesday. " + ANSWER_SENTENCE,
    "Engineers will close the bridge completely for two nights in April to lift it into place. Traffic will be "
    "sent along the coast road, which adds about twenty minutes to the journey.",
]


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line]


def two_page_pdf(path: Path) -> Path:
    """An article over two pages, each with the outlet and date as a running head and a page number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("")
    for number, paragraphs in enumerate([PAGE_1, PAGE_2], 1):
        c.setFont("Times-Roman", 9)
        c.drawString(60, height - 40, f"{PDF_OUTLET} - {PDF_DATE}")
        c.drawCentredString(width / 2, 30, str(number))
        y = height - 90
        for i, para in enumerate(paragraphs):
            headline = number == 1 and i == 0
            font, size = ("Times-Bold", 18) if headline else ("Times-Roman", 11)
            c.setFont(font, size)
            for line in _wrap(para, width - 120, font, size):
                c.drawString(60, y, line)
                y -= size * 1.35
            y -= 10
        c.showPage()
    c.save()
    return path


COLUMN_LEFT = ("Left column first. The ferry company added two evening crossings in November. "
               "It will keep one of them until the end of the year. This ends the left column.")
COLUMN_RIGHT = ("Right column next. Cyclists will get a lane of their own once the repairs are done. "
                "Campaigners have sought it for a decade. This ends the right column.")


def two_column_pdf(path: Path) -> Path:
    """A page in two columns whose content stream draws each line of the left column, then the line
    beside it in the right one, as generators that write a page top to bottom do."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Times-Bold", 16)
    c.drawString(50, height - 60, "Two columns on the harbour")
    column = (width - 100 - 24) / 2
    left = _wrap(COLUMN_LEFT, column, "Times-Roman", 10)
    right = _wrap(COLUMN_RIGHT, column, "Times-Roman", 10)
    c.setFont("Times-Roman", 10)
    for i in range(max(len(left), len(right))):
        y = height - 100 - i * 13
        if i < len(left):
            c.drawString(50, y, left[i])
        if i < len(right):
            c.drawString(50 + column + 24, y, right[i])
    c.showPage()
    c.save()
    return path


def scanned_pdf(path: Path, text_first: bool = False) -> Path:
    """A page that is only a picture of text, as a scanner makes it; ``text_first``: after a page of text."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).text((40, 40), "Harbour bridge repairs to finish early", fill="black")
    c = canvas.Canvas(str(path), pagesize=A4)
    if text_first:
        c.setFont("Times-Roman", 11)
        c.drawString(60, 760, PAGE_1[1][:90])
        c.showPage()
    c.drawImage(ImageReader(image), 0, 0, *A4)
    c.showPage()
    c.save()
    return path


WORD_OUTLET, WORD_DATE = "Bay Weekly", "2026-03-12"
WORD_TITLE = "Sensors to watch every cable of the harbour bridge"
WORD_FACT = "The sensors cost 310,000 euros and send their readings to the harbour office every hour."


def word_docx(path: Path) -> Path:
    """An article typed like the seed (outlet, date, headline, body) with a table."""
    import docx

    document = docx.Document()
    document.add_paragraph(WORD_OUTLET)
    document.add_paragraph(WORD_DATE)
    document.add_heading(WORD_TITLE, level=1)
    document.add_paragraph("The council will fit sensors that measure strain in every cable of the bridge. "
                           + WORD_FACT)
    table = document.add_table(rows=2, cols=2)
    for row, (what, cost) in zip(table.rows, [("cables", "4.2 million euros"), ("sensors", "310,000 euros")],
                                 strict=True):
        row.cells[0].text, row.cells[1].text = what, cost
    document.add_paragraph("Opposition councillor Henrik Dahl asked why the corrosion was found so late.")
    document.save(str(path))
    return path


RSS_OUTLET, ATOM_OUTLET = "Harbour Gazette", "Northern Suburbs Post"


def rss_feed(path: Path) -> Path:
    """Two entries with their full text, one with only a summary, and one with no text at all (entry 4)."""
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>{RSS_OUTLET}</title><link>https://gazette.example/</link><description>News</description>
<item><title>Ferry keeps an evening crossing</title><link>https://gazette.example/ferry</link>
<pubDate>Tue, 10 Mar 2026 08:00:00 +0100</pubDate><description>A teaser.</description>
<content:encoded><![CDATA[<p>Bay Lines added two evening crossings in November.</p>
<p>Director Ana Ribeiro said one of them stays until the end of the year.</p>]]></content:encoded></item>
<item><title>Market stall fees waived for the spring</title><link>https://gazette.example/fees</link>
<pubDate>Wed, 11 Mar 2026 09:30:00 +0100</pubDate>
<description>Mayor Tomas Lindqvist said the council would waive market stall fees for the spring.</description></item>
<item><title>Webcam draws a crowd</title><link>https://gazette.example/webcam</link>
<pubDate>Thu, 12 Mar 2026 10:00:00 +0100</pubDate>
<content:encoded><![CDATA[<p>More than 40,000 people watched the second cable being lifted in February.</p>]]>
</content:encoded></item>
<item><title>An entry with nothing in it</title><link>https://gazette.example/nothing</link></item>
</channel></rss>""", encoding="utf-8")
    return path


def atom_feed(path: Path) -> Path:
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{ATOM_OUTLET}</title><id>urn:post</id>
<updated>2026-03-13T10:00:00Z</updated>
<entry><title>Cycle lane to be two metres wide</title><link href="https://post.example/lane"/><id>urn:post:1</id>
<published>2026-03-13T10:00:00Z</published><updated>2026-03-13T10:00:00Z</updated>
<content type="html">&lt;p&gt;The new cycle lane on the bridge will be two metres wide and protected by a low
barrier.&lt;/p&gt;</content></entry>
</feed>""", encoding="utf-8")
    return path


JSONL_BAD_LINE = 3


def jsonl_records(path: Path, n: int = 5) -> Path:
    """``n`` news records without an outlet (their URLs name one), the record on line 3 without text."""
    records = [{"title": f"Harbour note {i}", "text": f"Harbour note {i}: the tide gauge read {i + 2} metres on "
                f"day {i}.", "url": f"https://www.apnews.com/article/harbour-{i}", "published": f"2026-03-0{i}"}
               for i in range(1, n + 1)]
    records[JSONL_BAD_LINE - 1]["text"] = ""
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def archive(folder: Path) -> Path:
    """A folder with one file of each format, and a picture that is not read."""
    folder.mkdir(parents=True, exist_ok=True)
    two_page_pdf(folder / "bridge.pdf")
    word_docx(folder / "sensors.docx")
    rss_feed(folder / "gazette.rss")
    atom_feed(folder / "post.atom")
    jsonl_records(folder / "notes.jsonl")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return folder
