"""The PDF reader measurement of docs/formats.md: makes five PDFs of a news story (Chromium's print to
PDF and ReportLab), reads them with pypdf, pypdfium2, pdfplumber, pdfminer.six and qa's reader, and
prints the share of the story's sentences each keeps verbatim and in order, and the time per page.

Needs Chromium (/usr/bin/chromium) and, beside the project's packages: pip install pypdf pdfplumber
reportlab. Run: python docs/bench/pdf_readers.py [folder for the PDFs]
"""

import html
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADLINE = "Harbour bridge repairs to finish two months early, council says"
OUTLET = "The Kestrel Bay Courier"
DATE = "14 March 2026"
PARAS = [
    "Repairs to the Kestrel Bay harbour bridge will be finished by the end of May, two months earlier than "
    "planned, the town council said on Friday.",
    "The bridge, which carries about 18,000 vehicles a day, has been limited to one lane in each direction "
    "since a routine inspection in October found corrosion in three of its steel cables.",
    "Council engineer Maria Okafor said the contractor had replaced the first two cables ahead of schedule "
    "because the winter had been unusually dry. \"We lost only four working days to the weather, against the "
    "twenty-one we had allowed for,\" she said.",
    "The work has cost 4.2 million euros so far, within the budget of 6.5 million euros approved last year. "
    "The regional government is paying sixty per cent of the bill.",
    "Shop owners on the harbour front have complained that the lane closures kept customers away during the "
    "Christmas season. The chamber of commerce estimates that sales in the old town fell by eleven per cent "
    "in December.",
    "Mayor Tomas Lindqvist said the council would waive market stall fees for the spring to help traders "
    "recover. \"The bridge is the front door of this town, and we owe the people who work behind it some "
    "patience,\" he said.",
    "Ferry operator Bay Lines added two evening crossings in November to carry commuters while the bridge was"
    " restricted. It will keep one of them until the end of the year, its director Ana Ribeiro said.",
    "Engineers will close the bridge completely for two nights in April to lift the last cable into place. "
    "Traffic will be sent along the coast road, which adds about twenty minutes to the journey to the "
    "industrial estate.",
    "The third cable arrived by sea from a mill in Gdansk on Tuesday. It is 212 metres long and weighs nearly"
    " nine tonnes.",
    "Cyclists will get a separate lane on the bridge once the repairs are done, a change campaigners have "
    "sought for a decade. The new lane will be two metres wide and protected by a low barrier.",
    "The council will also fit sensors that measure strain in every cable, so that corrosion is found years "
    "before it weakens the structure. The sensors cost 310,000 euros and send their readings to the harbour "
    "office every hour.",
    "Opposition councillor Henrik Dahl welcomed the early finish but asked why the corrosion had not been "
    "found at the previous inspection in 2023. The council said it would publish both inspection reports next"
    " week.",
    "The bridge opened in 1978 and was last repaired in 2004, when its deck was resurfaced. It is the only "
    "road link between the town centre and the northern suburbs.",
    "Residents can follow the work on a webcam that the council set up at the harbour office. More than "
    "40,000 people watched the second cable being lifted in February.",
]


def _chromium_pdfs(folder: Path) -> None:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in PARAS * 2)
    single = f"""<html><head><style>
@page {{ size: A4; margin: 25mm 20mm;
  @top-left {{ content: "{OUTLET} — {DATE}"; font-size: 9pt; }}
  @bottom-center {{ content: counter(page); font-size: 9pt; }} }}
body {{ font-family: serif; font-size: 12pt; line-height: 1.4; }} h1 {{ font-size: 22pt; }}
</style></head><body><h1>{html.escape(HEADLINE)}</h1><p><i>By Lena Fors</i></p>{paras}</body></html>"""
    columns = f"""<html><head><style>
@page {{ size: A4; margin: 15mm 12mm; }}
body {{ font-family: serif; font-size: 10pt; line-height: 1.3; }}
.mast {{ font-size: 28pt; text-align: center; border-bottom: 3px double #000; }} h1 {{ font-size: 20pt; }}
.cols {{ column-count: 2; column-gap: 8mm; text-align: justify; hyphens: auto; }}
</style></head><body lang="en"><div class="mast">{OUTLET}</div><div>{DATE}</div>
<h1>{html.escape(HEADLINE)}</h1><div class="cols">{paras}</div></body></html>"""
    for name, page in (("single", single), ("columns", columns)):
        (folder / f"{name}.html").write_text(page)
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
                        f"--print-to-pdf={folder / f'{name}.pdf'}", (folder / f"{name}.html").as_uri()],
                       check=True, capture_output=True, timeout=120)


def _wrap(text: str, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and stringWidth(candidate, "Times-Roman", 10) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line]


def _reportlab_pdfs(folder: Path) -> None:
    import pypdfium2 as pdfium
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfgen import canvas
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    width, height = A4
    # Two columns whose content stream draws each line of the left column, then the line beside it.
    c = canvas.Canvas(str(folder / "interleaved.pdf"), pagesize=A4)
    column, left = (width - 100) / 2, 40
    lines: list[str] = []
    for p in PARAS * 2:
        lines += [*_wrap(p, column), ""]
    per_column, i, page = 58, 0, 0
    while i < len(lines):
        page += 1
        c.setFont("Times-Bold", 9)
        c.drawString(left, height - 30, f"{OUTLET}  {DATE}  Page {page}")
        top = height - 60
        if page == 1:
            c.setFont("Times-Bold", 18)
            c.drawString(left, top, HEADLINE)
            top -= 30
        a, b = lines[i:i + per_column], lines[i + per_column:i + 2 * per_column]
        i += 2 * per_column
        c.setFont("Times-Roman", 10)
        for k in range(per_column):
            if k < len(a) and a[k]:
                c.drawString(left, top - k * 12, a[k])
            if k < len(b) and b[k]:
                c.drawString(left + column + 20, top - k * 12, b[k])
        c.showPage()
    c.save()
    # A two-frame story with a running head (the stream goes column by column).
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    body.alignment, body.fontName = TA_JUSTIFY, "Times-Roman"
    doc = BaseDocTemplate(str(folder / "frames.pdf"), pagesize=A4)
    fw = (doc.width - 18) / 2

    def head(canv, d):  # noqa: ANN001, ANN202
        canv.setFont("Times-Bold", 9)
        canv.drawString(d.leftMargin, height - 40, f"{OUTLET} — {DATE}")
        canv.drawRightString(width - d.rightMargin, 30, str(d.page))

    frames = [Frame(doc.leftMargin, doc.bottomMargin, fw, doc.height),
              Frame(doc.leftMargin + fw + 18, doc.bottomMargin, fw, doc.height)]
    doc.addPageTemplates([PageTemplate(frames=frames, onPage=head)])
    doc.build([Paragraph(HEADLINE, styles["Heading1"])] + [Paragraph(p, body) for p in PARAS * 2])
    # A scan: the first page of single.pdf as a picture, twice.
    image = pdfium.PdfDocument(str(folder / "single.pdf"))[0].render(scale=1.5).to_pil()
    image.save(folder / "scan.png")
    c = canvas.Canvas(str(folder / "scanned.pdf"), pagesize=A4)
    for _ in range(2):
        c.drawImage(str(folder / "scan.png"), 0, 0, width, height)
        c.showPage()
    c.save()


def _sentences() -> list[str]:
    out = [HEADLINE]
    for p in PARAS * 2:
        out += [s for s in re.split(r'(?<=[.!?"])\s+(?=[A-Z"])', p) if s]
    return out


EXPECTED = _sentences()


def _norm(text: str) -> str:
    text = re.sub(r"(\w)-\s*\n\s*(?=[a-z])", r"\1", text).replace("\u00ad", "")
    return re.sub(r"\s+", " ", text).strip()


def score(text: str) -> tuple[float, float]:
    """The share of the story's sentences in the longest chain of verbatim matches that keeps their order
    (a sentence may match any of its occurrences), and the share found anywhere."""
    t = _norm(text)
    occurrences = []
    for s in EXPECTED:
        found, i = [], t.find(s)
        while i >= 0:
            found.append((i, i + len(s)))
            i = t.find(s, i + 1)
        occurrences.append(found)
    best: list[list[int]] = []
    for k, found in enumerate(occurrences):
        best.append([1 + max((best[m][j] for m in range(k) for j, (_, end) in enumerate(occurrences[m])
                              if end <= start), default=0) for start, _ in found])
    chain = max((v for row in best for v in row), default=0)
    return chain / len(EXPECTED), sum(1 for s in set(EXPECTED) if s in t) / len(set(EXPECTED))


def _pypdf(path: Path, mode: str = "plain") -> list[str]:
    import pypdf

    return [p.extract_text(extraction_mode=mode) for p in pypdf.PdfReader(path).pages]


def _pdfium(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def _pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def _pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return ["".join(el.get_text() for el in page if isinstance(el, LTTextContainer)) for page in extract_pages(path)]


def _qa(path: Path) -> list[str]:
    from qa.ingest.article import LoadError
    from qa.ingest.pdf import load_pdf

    try:
        article = load_pdf(path.read_bytes()).articles[0]
    except LoadError:
        return [""]
    bounds = [*article.pages, len(article.text)]
    return [article.text[bounds[i]:bounds[i + 1]] for i in range(len(article.pages))]


READERS = {"pypdf": _pypdf, "pypdf layout": lambda p: _pypdf(p, "layout"), "pypdfium2": _pdfium,
           "pdfplumber": _pdfplumber, "pdfminer.six layout": _pdfminer, "qa (pypdfium2 + boxes)": _qa}


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="pdf-readers-"))
    folder.mkdir(parents=True, exist_ok=True)
    _chromium_pdfs(folder)
    _reportlab_pdfs(folder)
    for name in ("single", "columns", "frames", "interleaved", "scanned"):
        for reader, read in READERS.items():
            path = folder / f"{name}.pdf"
            read(path)  # imports and caches out of the timing
            t = time.perf_counter()
            for _ in range(3):
                pages = read(path)
            ms = (time.perf_counter() - t) / 3 / len(pages) * 1000
            in_order, found = score("\n".join(pages))
            print(f"{name:12} {reader:24} in order {in_order:6.1%}  found {found:6.1%}  {ms:7.1f} ms/page", flush=True)


if __name__ == "__main__":
    main()
