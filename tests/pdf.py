"""What a printed handout holds, read with PDFium (pypdfium2): a tenth of pypdf's time."""

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

MM = 72 / 25.4  # PDF points per millimetre


def pdf_contents(pdf: Path) -> tuple[int, str, int]:
    """Page count, text layer (whitespace collapsed) and number of raster images."""
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [document[i] for i in range(len(document))]
        text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pages)
        images = sum(1 for page in pages for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
        return len(pages), text, images
    finally:
        document.close()


INKED_PIXELS = 6  # per row: more than a box's side rules at 72 dpi


def page_fill(pdf: Path, top_mm: float, bottom_mm: float, dpi: int = 72) -> list[float]:
    """How full each page is, as the paper shows it: the page rendered to pixels (PDFium,
    grey levels), cut to its body (without the ``top_mm`` and ``bottom_mm`` margins, where
    the running footer is), and the share of its pixel rows that hold ink (more than
    INKED_PIXELS pixels of a grey darker than 245 of 255: the side rules of a box that
    runs on empty do not fill a page). A page of running text scores about 0.6 (the
    leading between lines is blank), an empty page 0."""
    document = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(document)):
            page = document[i]
            pixels = np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            per_point = pixels.shape[0] / page.get_height()
            body = pixels[round(top_mm * MM * per_point) : pixels.shape[0] - round(bottom_mm * MM * per_point)]
            out.append(float(((body < 245).sum(axis=1) > INKED_PIXELS).mean()))
        return out
    finally:
        document.close()
